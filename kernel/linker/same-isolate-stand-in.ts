// A STAND-IN for user domains, in the kernel's own isolate. It is NOT a protection boundary:
// user-domain instances share the kernel's heap and nothing stops them from reaching it. It
// exists so the linker's plan can run end to end before the HAL's worker domains are wired:
// calls are routed exactly as the plan says (upcalls, kernel jumps, copies of strings and
// bytes) and every crossing is counted, so the HAL's implementation can replace it unchanged.
import { InstanceMemory } from "../sip/instance-memory.js";
import type { CallContext } from "../syscalls/context.js";
import { kernelAbiImportsFor } from "./bind-kernel-abi.js";
import type { ModuleImage } from "../loader/index.js";

const uninstrumentedModules = new WeakMap<ModuleImage, WebAssembly.Module>();

function uninstrumentedModule(image: ModuleImage): WebAssembly.Module {
  if (image.bytes === image.originalBytes) return image.module;
  let module = uninstrumentedModules.get(image);
  if (!module) {
    module = new WebAssembly.Module(image.originalBytes);
    uninstrumentedModules.set(image, module);
  }
  return module;
}
import { copyArguments, liftArguments, lowerArguments, type CoreValue, type CrossingValue } from "./crossing.js";
import type { CrossingParameters, KernelJumpHandler, UserDomain, UserDomainHost, UserInstanceId, UserInstanceRequest } from "./domain-host.js";
import { carriesMemory, MODE_SWITCHES_PER_CROSSING_CALL } from "./plan.js";

type WasmFunction = (...core: CoreValue[]) => unknown;

interface StandInInstance {
  readonly instance: WebAssembly.Instance;
  readonly memory: InstanceMemory;
}

class SameIsolateDomain implements UserDomain {
  private readonly instances: StandInInstance[] = [];
  crossings = 0;

  constructor(readonly domainId: number, private readonly context: CallContext, private readonly kernelJump: KernelJumpHandler) {}

  instantiate(request: UserInstanceRequest): UserInstanceId {
    const memory = new InstanceMemory();
    const imports = kernelAbiImportsFor(this.context, memory, "user");
    // A kernel call from a user domain is a trap into the kernel and a return: count both.
    for (const functions of Object.values(imports)) {
      for (const [name, call] of Object.entries(functions)) {
        functions[name] = (...core: CoreValue[]) => {
          this.crossings += MODE_SWITCHES_PER_CROSSING_CALL;
          return (call as WasmFunction)(...core);
        };
      }
    }
    for (const sibling of request.siblings) {
      const target = this.instances[sibling.target]!;
      const callee = target.instance.exports[sibling.exportName] as WasmFunction;
      (imports[sibling.importModule] ??= {})[sibling.importName] = carriesMemory(sibling.parameters)
        ? (...core: CoreValue[]) => callee(...copyArguments(core, sibling.parameters, memory, target.instance))
        : callee;
    }
    for (const jump of request.kernelJumps) {
      (imports[jump.importModule] ??= {})[jump.importName] = (...core: CoreValue[]) => {
        this.crossings += MODE_SWITCHES_PER_CROSSING_CALL;
        return this.kernelJump(jump.jumpIndex, liftArguments(core, jump.parameters, memory));
      };
    }
    // A user domain runs the module as loaded, without the fuel rewrite: its running time is
    // bounded by the CPU budget of the domain, as in the HAL's worker domains.
    const instance = new WebAssembly.Instance(uninstrumentedModule(request.image), imports as WebAssembly.Imports);
    memory.attach(instance);
    this.instances.push({ instance, memory });
    return this.instances.length - 1;
  }

  call(instance: UserInstanceId, exportName: string, args: readonly CrossingValue[], parameters: CrossingParameters): CrossingValue | undefined {
    const target = this.instances[instance]!;
    const callee = target.instance.exports[exportName] as WasmFunction;
    this.crossings += MODE_SWITCHES_PER_CROSSING_CALL;
    return callee(...lowerArguments(args, parameters, target.instance)) as CrossingValue | undefined;
  }

  async run(instance: UserInstanceId, exportName: string): Promise<number> {
    const result = this.call(instance, exportName, [], undefined);
    return typeof result === "number" ? result | 0 : 0;
  }

  dispose(): void {
    this.instances.length = 0;
  }
}

export class SameIsolateStandIn implements UserDomainHost {
  readonly isProtectionBoundary = false as const;
  readonly description: string = "same-isolate stand-in for user domains: routes and counts crossings, protects nothing";
  readonly acceptsUpcallDuringKernelJump: boolean = true;
  private nextDomainId = 1;

  createDomain(context: CallContext, kernelJump: KernelJumpHandler): UserDomain {
    return new SameIsolateDomain(this.nextDomainId++, context, kernelJump);
  }
}
