import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isServerCode } from '../../../src/audit/scan/server-code.js';
import { parseSourceFile } from '../../../src/audit/scan/source-file.js';

const server = (text: string, path = 'src/module.ts') => isServerCode(parseSourceFile(path, text));

describe('isServerCode', () => {
  it('is server code when the file imports a server framework or the MCP SDK server', () => {
    assert.equal(server("import express from 'express';"), true);
    assert.equal(server("import { Hono } from 'hono';"), true);
    assert.equal(server("import { getCookie } from 'hono/cookie';"), true);
    assert.equal(server("import type { Request } from 'express';"), true);
    assert.equal(server("import { NextResponse } from 'next/server';"), true);
    assert.equal(server("import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';"), true);
    assert.equal(server("const Koa = require('koa');", 'src/app.cjs'), true);
    assert.equal(server("const { default: fastify } = await import('fastify');"), true);
  });

  it('is server code when Node http creates a server, not when it only makes requests', () => {
    assert.equal(server("import http from 'node:http';\nhttp.createServer(() => {}).listen(3000);"), true);
    assert.equal(server("import { createServer } from 'https';\ncreateServer({}, onRequest);"), true);
    assert.equal(server("import https from 'node:https';\nhttps.request('https://as.example/token');"), false);
  });

  it('is server code when it has request handlers', () => {
    assert.equal(server('export function onRequest(req, res) { res.end(); }'), true);
    assert.equal(server('export default function handler(req, res) { res.status(200).json({ ok: true }); }'), true);
    assert.equal(server("router.post('/token', (request, reply) => token(request));"), true);
    assert.equal(server("app.get('/callback', async (c) => c.text('ok'));"), true);
    assert.equal(server('router.use(async (ctx, next) => { await next(); });'), true);
    assert.equal(server('export async function GET(request: Request) { return new Response(); }'), true);
    assert.equal(server('export const POST = async (req: Request) => new Response();'), true);
  });

  it('is not server code in a browser module or a library', () => {
    assert.equal(server("import { generateRandomCodeVerifier } from 'oauth4webapi';\nsessionStorage.setItem('v', generateRandomCodeVerifier());"), false);
    assert.equal(server("const upper = [...'abc'].map((c) => c.toUpperCase());\nfunction GET(url) { return fetch(url); }"), false);
    assert.equal(server('const pushHistory = (request, response) => setHistory((prev) => [...prev, { request, response }]);'), false);
    assert.equal(server("import React from 'react';\nexport function Login() { return null; }", 'src/login.tsx'), false);
  });
});
