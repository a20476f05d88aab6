interface DevEndpoints {
  /** HOST of the API: 0.0.0.0 serves every interface, 127.0.0.1 this machine only. */
  apiHost: string;
  apiPort: number;
  /** S3_HOST of the local s3rver. */
  s3Host: string;
  s3Port: number;
  /** S3_PUBLIC_ENDPOINT, when set: where presigned URLs point. */
  s3PublicEndpoint?: string;
  /** The machine's non-internal IPv4 addresses. */
  lanAddresses: string[];
}

/** The Android emulator's name for the host machine's loopback. */
const ANDROID_EMULATOR_HOST = '10.0.2.2';

const everyInterface = (host: string): boolean => host === '0.0.0.0' || host === '::';

/** What `npm run dev` prints: the address of the API for each kind of client, and where upload URLs point. */
export function describeDevAddresses(endpoints: DevEndpoints): string[] {
  const { apiHost, apiPort, s3Host, s3Port, s3PublicEndpoint, lanAddresses } = endpoints;
  const lines = [
    `API for this machine: http://127.0.0.1:${apiPort} (explorer: http://127.0.0.1:${apiPort}/docs)`,
    `API for the Android emulator: http://${ANDROID_EMULATOR_HOST}:${apiPort}`,
  ];
  if (everyInterface(apiHost)) {
    for (const address of lanAddresses) lines.push(`API for devices on your network: http://${address}:${apiPort}`);
  } else {
    lines.push(`API listens on ${apiHost} only: set HOST=0.0.0.0 for devices on your network`);
  }
  const s3 = s3PublicEndpoint ?? `http://127.0.0.1:${s3Port}`;
  lines.push(`Upload and download URLs point at ${s3} (s3rver listening on ${s3Host})`);
  if (!s3PublicEndpoint) {
    const lan = lanAddresses[0] ?? '<this machine’s address>';
    lines.push(
      `For the emulator set S3_PUBLIC_ENDPOINT=http://${ANDROID_EMULATOR_HOST}:${s3Port}; ` +
        `for a phone S3_HOST=0.0.0.0 and S3_PUBLIC_ENDPOINT=http://${lan}:${s3Port} (README: "From a phone or the Android emulator")`,
    );
  }
  return lines;
}
