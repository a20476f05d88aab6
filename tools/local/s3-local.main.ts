import { startS3rver } from './s3-local';

/** Child-process entry of `startS3rverProcess`: reports its endpoint over IPC, stops on SIGTERM. */
const [directory, port, host] = process.argv.slice(2);
startS3rver(directory, Number(port), host).then(
  (server) => {
    process.send?.({ endpoint: server.endpoint });
    const stop = (): void => void server.stop().finally(() => process.exit(0));
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    process.once('disconnect', stop);
  },
  (error: Error) => {
    process.send?.({ error: error.message });
    process.exit(1);
  },
);
