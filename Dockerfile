# Sésame server image: HTTP API + dashboard, embedded MQTT broker, migrations at start.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --no-fund --no-audit --omit=optional || npm ci --no-fund --no-audit
COPY . .
EXPOSE 8080 1883
CMD ["npm", "start"]
