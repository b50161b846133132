// Channels and their contracts (docs/abi/channels.md).
export { Contract, compileContracts } from "./contract.js";
export { Endpoint, openEndpoints, createChannel, endpointOf, sendMessage, receiveMessage, watchEndpoint } from "./channel.js";
export { NameService, CONNECTION_MESSAGE, requireService } from "./name-service.js";
