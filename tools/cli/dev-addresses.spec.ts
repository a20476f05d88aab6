import { describeDevAddresses } from './dev-addresses';

describe('describeDevAddresses', () => {
  const base = { apiHost: '0.0.0.0', apiPort: 3000, s3Host: '127.0.0.1', s3Port: 4569, lanAddresses: ['192.168.1.20', '10.1.2.3'] };

  it('gives the API address for this machine, the Android emulator and every LAN address', () => {
    const text = describeDevAddresses(base).join('\n');
    expect(text).toContain('http://127.0.0.1:3000/docs');
    expect(text).toContain('http://10.0.2.2:3000');
    expect(text).toContain('http://192.168.1.20:3000');
    expect(text).toContain('http://10.1.2.3:3000');
  });

  it('says how to make upload URLs reachable until S3_PUBLIC_ENDPOINT is set', () => {
    expect(describeDevAddresses(base).join('\n')).toContain('S3_PUBLIC_ENDPOINT=http://192.168.1.20:4569');
    const configured = describeDevAddresses({ ...base, s3Host: '0.0.0.0', s3PublicEndpoint: 'http://192.168.1.20:4569' }).join('\n');
    expect(configured).toContain('Upload and download URLs point at http://192.168.1.20:4569 (s3rver listening on 0.0.0.0)');
    expect(configured).not.toContain('set S3_PUBLIC_ENDPOINT');
  });

  it('lists no LAN address for an API bound to loopback, and says why', () => {
    const text = describeDevAddresses({ ...base, apiHost: '127.0.0.1' }).join('\n');
    expect(text).not.toContain('http://192.168.1.20:3000');
    expect(text).toContain('set HOST=0.0.0.0');
  });
});
