// ls: lists each directory named (the root when none is), names sorted, one a line, a directory's
// name ending in `/`; a file named is printed as it is. Complaints are worded as GNU ls words them.
import { Console, errorMessage, Files, FILE_TYPE_DIRECTORY, Output, Process } from "../../runtime/assembly";
export { cabi_realloc, deliver, dispatch, serve } from "../../runtime/assembly";

function list(path: string, heading: bool): i32 {
  const status = Files.stat(path);
  if (status < 0) {
    Console.error("ls: cannot access '" + path + "': " + errorMessage(<i32>status));
    return 1;
  }
  if (Files.typeOf(status) != FILE_TYPE_DIRECTORY) {
    Output.line(path);
    return 0;
  }
  const directory = Files.openDirectory(path);
  if (directory === null) {
    Console.error("ls: cannot open directory '" + path + "': " + errorMessage(Files.lastError));
    return 1;
  }
  const names = new Array<string>();
  while (directory.next()) names.push(directory.type == FILE_TYPE_DIRECTORY ? directory.name + "/" : directory.name);
  directory.close();
  names.sort((left, right) => (left < right ? -1 : left > right ? 1 : 0));
  if (heading) Output.line(path + ":");
  for (let index = 0; index < names.length; index++) Output.line(names[index]);
  return 0;
}

export function main(): i32 {
  const args = Process.args();
  if (args.length == 0) args.push("/");
  let code = 0;
  for (let index = 0; index < args.length; index++) {
    if (list(args[index], args.length > 1) != 0) code = 1;
  }
  return Output.finish(code);
}
