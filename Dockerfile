# stackbench's image: the CLI on Node.js 20 and Debian 12 (bookworm), with the reference stacks' servers, the
# downstream and the load agent (`stackbench agent`), and the Python stacks on Debian's python3-* packages as
# `stackbench setup` installs them (the list comes from the code, never restated here). One image for every
# role a run on Kubernetes starts from it: replicas, the downstream, the generator pods.
#
#   docker build -t REGISTRY/stackbench:0.1.0 .      (or: buildah bud, podman build, kaniko in a cluster)
#   docker push REGISTRY/stackbench:0.1.0
#   stackbench kube plan --image REGISTRY/stackbench:0.1.0
#
# Stage 1 builds (TypeScript, the servers) and prints setup's Debian package list; stage 2 is what runs.
FROM node:20-bookworm AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY servers ./servers
COPY scripts ./scripts
RUN npx tsc -p tsconfig.json \
 && npx tsc -p servers/node/tsconfig.json \
 && node scripts/debian-packages.mjs > debian-packages.txt \
 && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
# The Python stacks' packages (setup's list) and util-linux (taskset, setpriv: src/machine/process.ts).
COPY --from=build /src/debian-packages.txt /tmp/debian-packages.txt
RUN apt-get update \
 && xargs -a /tmp/debian-packages.txt apt-get install -y --no-install-recommends util-linux \
 && rm -rf /var/lib/apt/lists/* /tmp/debian-packages.txt
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist/src ./dist/src
COPY --from=build /src/servers ./servers
COPY bin ./bin
# The node image's unprivileged user (uid 1000): the pods run as it (src/kube/security.ts).
USER node
ENTRYPOINT ["node", "/app/bin/stackbench.js"]
