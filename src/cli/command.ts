// A CLI command: its name, one-line summary, usage text and the function that runs it. Commands return the
// process exit code (src/errors.ts ExitCode); bad input is thrown as a StackbenchError.
export interface Command {
  name: string;
  summary: string;
  usage: string;
  run(argv: string[]): Promise<number>;
}
