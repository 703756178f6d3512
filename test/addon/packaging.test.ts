// The Dockerfiles, AppArmor profile and repository.yaml cannot be built here (no Docker engine), so
// their load-bearing lines are checked as text; scripts/smoke-prod-install.sh proves the npm steps.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';

const root = new URL('../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');
const pkg = JSON.parse(read('package.json')) as { version: string; bin: Record<string, string> };
// Dockerfile text: "${...}" here is Docker's variable syntax, not a template literal.
const BUILD_FROM = '$' + '{BUILD_FROM}';
const BUILD_VERSION = '$' + '{BUILD_VERSION}';
const BUILD_ARCH = '$' + '{BUILD_ARCH}';
const HEALTH_PROBE =
  "fetch('http://127.0.0.1:8099/health').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))";

/** Dockerfile instructions with continuation lines joined and comments dropped. */
function instructions(text: string): string[] {
  return text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

describe('Dockerfile (plain Docker image)', () => {
  const lines = instructions(read('Dockerfile'));
  const from = lines.filter((l) => l.startsWith('FROM '));

  it('is multi-stage on a pinned Node 20 slim image', () => {
    expect(from.length).toBeGreaterThanOrEqual(2);
    for (const f of from) expect(f).toMatch(/^FROM node:20-bookworm-slim( AS \w+)?$/);
  });

  it('installs with npm ci, builds, and keeps production dependencies only', () => {
    const run = lines.filter((l) => l.startsWith('RUN ')).join('\n');
    expect(run).toMatch(/npm ci\b/);
    expect(run).toMatch(/npm run build/);
    expect(run).toMatch(/npm prune --omit=dev/);
  });

  it('copies what the build reads and what the CLI needs at runtime', () => {
    const copies = lines.filter((l) => l.startsWith('COPY ')).join('\n');
    for (const path of ['package.json package-lock.json', 'tsconfig.build.json', 'scripts', 'src']) {
      expect(copies).toContain(path);
    }
    for (const path of ['/app/package.json', '/app/node_modules', '/app/dist'])
      expect(copies).toContain(path);
    expect(pkg.bin.librelinkup2mqtt).toBe('dist/cli.js');
  });

  it('runs as the non-root user node with /data as a volume and config in /config', () => {
    expect(lines).toContain('USER node');
    expect(lines).toContain('VOLUME /data');
    expect(lines).toContain('CMD ["node", "dist/cli.js", "--config", "/config/config.yaml"]');
  });

  it('stops with SIGTERM and checks health with node itself (no curl in slim)', () => {
    expect(lines).toContain('STOPSIGNAL SIGTERM');
    expect(lines).toContain('EXPOSE 8099');
    const health = lines.find((l) => l.startsWith('HEALTHCHECK '));
    expect(health).toContain(HEALTH_PROBE);
    expect(health).toMatch(/CMD \["node", "-e"/);
  });

  it('keeps tests, git and local state out of the build context', () => {
    const ignored = read('.dockerignore').split('\n');
    for (const entry of ['node_modules', 'dist', '.git', 'test', 'config.yaml', 'data']) {
      expect(ignored).toContain(entry);
    }
    for (const needed of ['src', 'scripts', 'package.json', 'package-lock.json', 'tsconfig.build.json']) {
      expect(ignored).not.toContain(needed);
    }
  });
});

describe('ha-addon/Dockerfile', () => {
  const text = read('ha-addon/Dockerfile');
  const lines = instructions(text);

  it('builds on the Home Assistant base image through BUILD_FROM', () => {
    expect(lines).toContain('ARG BUILD_FROM=ghcr.io/home-assistant/base:3.23');
    expect(lines).toContain(`FROM ${BUILD_FROM}`);
  });

  it('installs the package version of this add-on', () => {
    expect(lines).toContain(`ARG BUILD_VERSION=${pkg.version}`);
    expect(text).toMatch(/apk add --no-cache nodejs/);
    expect(text).toMatch(/npm install --global --omit=dev .*librelinkup2mqtt@\$\{BUILD_VERSION\}/);
  });

  it('labels the image as a Home Assistant app', () => {
    const label = lines.find((l) => l.startsWith('LABEL ')) ?? '';
    expect(label).toContain(`io.hass.version="${BUILD_VERSION}"`);
    expect(label).toContain('io.hass.type="app"');
    expect(label).toContain(`io.hass.arch="${BUILD_ARCH}"`);
  });

  it('has a HEALTHCHECK on the ingress port and runs the addon command as PID 1', () => {
    expect(lines.find((l) => l.startsWith('HEALTHCHECK '))).toContain(HEALTH_PROBE);
    expect(lines).toContain('STOPSIGNAL SIGTERM');
    expect(lines).toContain('ENTRYPOINT []');
    expect(lines).toContain('CMD ["librelinkup2mqtt", "addon"]');
  });
});

describe('ha-addon/apparmor.txt', () => {
  const text = read('ha-addon/apparmor.txt');
  it('is a profile named after the slug with the required flags', () => {
    expect(text).toMatch(/^profile librelinkup2mqtt flags=\(attach_disconnected,mediate_deleted\) \{$/m);
  });
  it('allows node, the data folder, /tmp and the network', () => {
    for (const rule of [
      '/usr/bin/node ix,',
      '/data/** rw,',
      '/tmp/** rwk,',
      '/app/** r,',
      'network inet stream,',
    ]) {
      expect(text).toContain(rule);
    }
    expect(text.trim().endsWith('}')).toBe(true);
  });
});

describe('repository.yaml', () => {
  it('makes the repository an add-on repository', () => {
    const repo = YAML.parse(read('repository.yaml')) as Record<string, string>;
    expect(repo.url).toBe('https://github.com/librelinkup2mqtt/librelinkup2mqtt');
    expect(repo.name).toBeTruthy();
    expect(repo.maintainer).toBeTruthy();
  });
});

describe('ha-addon/CHANGELOG.md', () => {
  it('follows Keep a Changelog and has an entry for this version', () => {
    const log = read('ha-addon/CHANGELOG.md');
    expect(log).toContain('Keep a Changelog');
    expect(log).toContain('## [Unreleased]');
    expect(log).toMatch(
      new RegExp(`^## \\[${pkg.version.replace(/\./g, '\\.')}\\] - \\d{4}-\\d{2}-\\d{2}$`, 'm'),
    );
  });
});
