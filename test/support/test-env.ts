// Every test process starts from the same quiet, local settings; test files may override them.
process.env.NODE_ENV = 'test';
process.env.LOG_LEVEL = process.env.TEST_LOG_LEVEL ?? 'silent';
process.env.AWS_REGION = 'us-east-1';
// Tests make many accounts from one address; the rate-limit tests set their own low limits.
process.env.RATE_LIMIT_IP_PER_MINUTE = '100000';
process.env.RATE_LIMIT_ACCOUNT_FAILURES = '1000';
process.env.UPLOAD_URLS_PER_ACCOUNT_PER_HOUR = '100000';
process.env.UPLOAD_URLS_PER_IP_PER_HOUR = '1000000';
delete process.env.AWS_ACCESS_KEY_ID;
delete process.env.AWS_PROFILE;
