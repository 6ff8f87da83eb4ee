# syntax=docker/dockerfile:1
# Build stage: dev dependencies, TypeScript compile, then the esbuild bundle (dist/bundle) the CLI runs.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
RUN npm run build

# Runtime stage: production dependencies (piscina and PGlite stay outside the bundle) and dist/ only.
FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
RUN ln -s /app/bin/stock-crawler /usr/local/bin/stock-crawler \
 && mkdir -p /data && chown node:node /data
# The embedded database lives in /data when no DATABASE_URL is given; mount a volume there.
ENV STOCK_CRAWLER_DATA_DIR=/data/db
USER node
ENTRYPOINT ["stock-crawler"]
CMD ["--help"]
