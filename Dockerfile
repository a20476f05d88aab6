# syntax=docker/dockerfile:1
#
# Production image of panzoto-backend: compiled JavaScript and production dependencies only,
# run as the unprivileged `node` user.
#
#   docker build -t panzoto-backend .
#   docker run --rm -p 3000:3000 -e JWT_SECRET="$(openssl rand -base64 48)" -e AWS_REGION=us-east-1 panzoto-backend
#
# Create the tables with the same image before the first start (needs
# dynamodb:DescribeTable/CreateTable/UpdateTable):
#   docker run --rm --env-file prod.env panzoto-backend node dist/db-init.js
#
# Node 24 LTS, the release in .nvmrc that CI tests on (README: "Runtime"). argon2 loads its prebuilt
# Node-API binary, so nothing is compiled; the prod-deps stage below checks that the binding loads.
ARG NODE_IMAGE=node:24-bookworm-slim

# ---- build: every dependency, compile TypeScript to dist/ ----
FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV NPM_CONFIG_UPDATE_NOTIFIER=false
COPY package.json package-lock.json ./
# --ignore-scripts: package.json's "allowScripts" denies every dependency install script in the
# lockfile (argon2, @scarf/scarf, @swc/core, @parcel/watcher); the flag applies the same policy
# whichever npm version the image bundles.
RUN --mount=type=cache,target=/root/.npm \
    npm ci --ignore-scripts --no-audit --no-fund
COPY nest-cli.json tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# ---- prod-deps: production dependencies only, from the lockfile ----
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
ENV NPM_CONFIG_UPDATE_NOTIFIER=false
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && node -e "require('argon2').hash('build-time check').then(() => console.log('argon2 native binding loads'))"

# ---- runtime ----
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
# Owned by root and only readable by `node`: the service writes nothing to its own directory.
COPY --from=prod-deps /app/package.json ./package.json
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
USER node
EXPOSE 3000
# Liveness only (/api/health touches no dependency), so a DynamoDB outage does not restart
# healthy containers. The ALB health check uses the same path (infra/, docs/deploy.md: a shared
# dependency's outage is answered by the service with 503 + Retry-After, not by removing tasks);
# /api/health/ready is for deploy verification and monitoring. ECS ignores this instruction and
# runs the identical check defined in the task definition (infra/lib/panzoto-stack.ts).
# Node itself makes the request: slim images have no curl or wget. PORT is read at run time; the
# check assumes HOST is 0.0.0.0 (the default) or 127.0.0.1.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "require('node:http').get({host:'127.0.0.1',port:process.env.PORT||3000,path:'/api/health',timeout:4000},(r)=>{r.resume();process.exit(r.statusCode===200?0:1)}).on('timeout',function(){this.destroy(new Error('timeout'))}).on('error',()=>process.exit(1))"]
# Exec form: node is PID 1 and receives SIGTERM itself. src/main.ts handles it: stop accepting
# connections, finish in-flight requests within SHUTDOWN_GRACE_MS (default 25 s), exit 0.
# `docker stop` sends SIGKILL after 10 s unless told otherwise: give it `-t 30` (compose:
# stop_grace_period: 30s) or lower SHUTDOWN_GRACE_MS. The CDK stack sets the container's stopTimeout
# to SHUTDOWN_GRACE_MS + 5 s. `npm run build:prod` runs these same steps without Docker (CI does).
CMD ["node", "dist/main.js"]
