# Multi-stage build: native modules (node-pty, tree-sitter, ssh2's optional cpu-features) are
# compiled in the build stage; the runtime stage has no compiler and runs as a non-root user.
FROM node:20-bookworm AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force
COPY bin ./bin
COPY src ./src
COPY policies ./policies
COPY tsconfig.json ./

FROM node:20-bookworm-slim
# openssh-client: ssh-keygen creates the host key and development CA on first start.
# bash is the default target shell; util-linux provides setpriv when run as root.
RUN apt-get update \
 && apt-get install -y --no-install-recommends openssh-client bash util-linux \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --create-home --home-dir /var/lib/bulwark --shell /bin/bash bulwark
WORKDIR /app
COPY --from=build /app /app
USER bulwark
WORKDIR /var/lib/bulwark
ENV NODE_ENV=production
EXPOSE 2222
VOLUME ["/var/lib/bulwark"]
ENTRYPOINT ["node", "/app/bin/bulwark.js"]
CMD ["serve", "--listen", "0.0.0.0:2222"]
