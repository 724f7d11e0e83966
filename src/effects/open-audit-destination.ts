import { close, constants, createWriteStream, fstat, open } from 'node:fs';
import { Socket } from 'node:net';
import type { Writable } from 'node:stream';

// O_NONBLOCK: opening a FIFO that has no reader fails with ENXIO instead of
// waiting in a pool thread for a reader that may never come. A regular file
// ignores the flag.
const APPEND_FLAGS = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NONBLOCK;

/**
 * Opens `file` for appending, never holding a thread while the destination is
 * stuck. A regular file gets an `fs.WriteStream`; a FIFO or socket is written on
 * the event loop through a `net.Socket`, as Node writes to a piped stdout, so a
 * reader that stops reading leaves writes queued in memory (where the caller
 * bounds them) rather than one of libuv's few pool threads blocked forever.
 */
export function openAuditDestination(file: string): Promise<Writable> {
  return new Promise((resolve, reject) => {
    open(file, APPEND_FLAGS, 0o666, (openError, fd) => {
      if (openError !== null) {
        reject(openError);
        return;
      }
      fstat(fd, (statError, stats) => {
        if (statError !== null) {
          close(fd, () => reject(statError));
          return;
        }
        resolve(
          stats.isFIFO() || stats.isSocket()
            ? new Socket({ fd, readable: false, writable: true })
            : createWriteStream(file, { fd, flags: 'a', encoding: 'utf8' }),
        );
      });
    });
  });
}
