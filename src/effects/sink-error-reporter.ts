/**
 * The `onError` of an audit sink as a function that never throws: sinks report
 * from stream and timer callbacks, where a throw would crash the process. With
 * no handler, or one that throws, the message goes to stderr as one line.
 */
export function sinkErrorReporter(onError: ((error: Error) => void) | undefined): (error: Error) => void {
  return (error) => {
    if (onError !== undefined) {
      try {
        onError(error);
        return;
      } catch {
        // A failing handler leaves stderr as the last place to say it.
      }
    }
    try {
      process.stderr.write(`tierguard: ${error.message.replace(/[\r\n]+/g, ' ')}\n`);
    } catch {
      // Nowhere left to report to; the process keeps running.
    }
  };
}
