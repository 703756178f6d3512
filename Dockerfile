# librelinkup2mqtt as a plain Docker image (for the Home Assistant add-on see ha-addon/).
#   docker build -t librelinkup2mqtt .
#   docker run -d -v $PWD/config:/config -v librelinkup2mqtt-data:/data -p 8099:8099 librelinkup2mqtt
# /config/config.yaml must set `data_dir: /data`, and `http: {port: 8099, host: 0.0.0.0}` for the
# HEALTHCHECK below (without it the container reports unhealthy).

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
RUN mkdir -p /config /data && chown node:node /config /data
USER node
VOLUME /data
EXPOSE 8099
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["node", "-e", "fetch('http://127.0.0.1:8099/health').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"]
CMD ["node", "dist/cli.js", "--config", "/config/config.yaml"]
