/**
 * The real file-system calls, recorded: what was made (`mkdir`), opened (`open`) and flushed
 * (`fsync`, named by the path its descriptor was opened on), in order — for durability tests that
 * pass it where the product takes its fs seam.
 */
import * as nodeFs from "node:fs";

export function recordingFs(shown: (path: string) => string): { fs: typeof nodeFs; calls: string[] } {
  const calls: string[] = [];
  const names = new Map<number, string>();
  const fs = {
    ...nodeFs,
    mkdirSync: ((path: string, options: nodeFs.MakeDirectoryOptions) => {
      calls.push(`mkdir ${shown(path)}`);
      return nodeFs.mkdirSync(path, options);
    }) as typeof nodeFs.mkdirSync,
    openSync: ((path: string, flags: nodeFs.OpenMode, mode?: nodeFs.Mode) => {
      const fd = nodeFs.openSync(path, flags, mode);
      names.set(fd, shown(path));
      calls.push(`open ${shown(path)}`);
      return fd;
    }) as typeof nodeFs.openSync,
    fsyncSync: (fd: number) => {
      calls.push(`fsync ${names.get(fd) ?? `fd ${fd}`}`);
      nodeFs.fsyncSync(fd);
    },
  };
  return { fs, calls };
}
