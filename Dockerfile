# Sésame server image: HTTP API + dashboard, embedded MQTT broker, migrations at start.
# Runs as the unprivileged `node` user (issue #9 item 13): the code is root's and read-only to
# it; the only folder it writes is DATA_DIR (/data, the embedded database when DATABASE_URL is
# not set), which it owns. Mount a volume there to keep the data.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production \
    DATA_DIR=/data
COPY package.json package-lock.json ./
RUN npm ci --no-fund --no-audit --omit=optional || npm ci --no-fund --no-audit
COPY . .
RUN mkdir -p /data && chown node:node /data && chmod 700 /data
VOLUME ["/data"]
USER node
EXPOSE 8080 1883
CMD ["npm", "start"]
