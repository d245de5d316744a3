/**
 * A fault-injecting HTTP proxy on 127.0.0.1 in front of the import API, for the upload fault tests.
 * Each request that the plan's `match` accepts may get one fault, chosen by a seeded PRNG:
 *  - drop:          the client's socket is destroyed before anything reaches the server;
 *  - loseResponse:  forwarded, the whole answer read (the server committed), then the client's
 *                   socket destroyed, so the client never learns the outcome;
 *  - reset:         half of the body forwarded, then both connections destroyed mid-request;
 *  - stall:         no answer until the client gives up; then forwarded anyway (a late commit);
 *  - delay:         forwarded after a pause;
 *  - rateLimit:     the next N matching requests answered 429 with Retry-After, not forwarded.
 * Everything it did is counted and logged.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { seededRandom } from '../helpers/random';

export { seededRandom };

export type Fault = 'drop' | 'loseResponse' | 'reset' | 'stall' | 'delay' | 'rateLimit';

export interface FaultPlan {
	seed?: number;
	/** Requests that may get a fault; all by default. */
	match?: (method: string, url: string) => boolean;
	/** Probabilities per matching request (their sum must stay ≤ 1). */
	drop?: number;
	loseResponse?: number;
	reset?: number;
	stall?: number;
	delay?: { probability: number; ms: number };
	/** The next `requests` matching requests get 429 with this Retry-After. */
	rateLimit?: { requests: number; retryAfter: string };
}

export interface ProxyCounts {
	requests: number;
	forwarded: number;
	drop: number;
	loseResponse: number;
	reset: number;
	stall: number;
	delay: number;
	rateLimit: number;
	/** The server could not be reached (answered 502). */
	upstreamErrors: number;
}

export interface ProxyLogEntry {
	/** Date.now() when the request arrived. */
	at: number;
	method: string;
	url: string;
	fault: Fault | null;
	/** The status the client got, when it got one. */
	status?: number;
}

interface UpstreamAnswer {
	status: number;
	headers: http.IncomingHttpHeaders;
	body: Buffer;
}

// A client that never gives up on a stalled request is cut off after this long.
const STALL_LIMIT_MS = 30_000;
const HOP_BY_HOP = ['connection', 'keep-alive', 'transfer-encoding'];

function readBody(stream: IncomingMessage): Promise<Buffer> {
	return new Promise((resolve, reject) => {
		const parts: Buffer[] = [];
		stream.on('data', (part: Buffer) => parts.push(part));
		stream.on('end', () => resolve(Buffer.concat(parts)));
		stream.on('error', reject);
		stream.on('aborted', () => reject(new Error('aborted')));
	});
}

function withoutHopByHop(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
	const copy: http.OutgoingHttpHeaders = { ...headers };
	for (const name of HOP_BY_HOP) delete copy[name];
	return copy;
}

export class FaultProxy {
	readonly counts: ProxyCounts = {
		requests: 0,
		forwarded: 0,
		drop: 0,
		loseResponse: 0,
		reset: 0,
		stall: 0,
		delay: 0,
		rateLimit: 0,
		upstreamErrors: 0
	};
	readonly log: ProxyLogEntry[] = [];
	readonly #server: http.Server;
	readonly #upstreamPort: number;
	readonly #timers = new Set<NodeJS.Timeout>();
	#plan: FaultPlan = {};
	#random: () => number = seededRandom(1);
	#stormLeft = 0;

	private constructor(server: http.Server, upstreamPort: number) {
		this.#server = server;
		this.#upstreamPort = upstreamPort;
	}

	/** Listens on a free loopback port and forwards to 127.0.0.1:`upstreamPort`. */
	static async start(upstreamPort: number, plan: FaultPlan = {}): Promise<FaultProxy> {
		const server = http.createServer();
		const proxy = new FaultProxy(server, upstreamPort);
		proxy.setPlan(plan);
		server.on('request', (request, response) => void proxy.#handle(request, response));
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		return proxy;
	}

	get url(): string {
		return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
	}

	/** Replaces the plan and restarts its PRNG from the plan's seed. */
	setPlan(plan: FaultPlan): void {
		this.#plan = plan;
		this.#random = seededRandom(plan.seed ?? 1);
		this.#stormLeft = plan.rateLimit?.requests ?? 0;
	}

	async close(): Promise<void> {
		for (const timer of this.#timers) clearTimeout(timer);
		this.#server.closeAllConnections();
		await new Promise<void>((resolve) => this.#server.close(() => resolve()));
	}

	#choose(method: string, url: string): Fault | null {
		const plan = this.#plan;
		if (plan.match && !plan.match(method, url)) return null;
		if (this.#stormLeft > 0) {
			this.#stormLeft--;
			return 'rateLimit';
		}
		let draw = this.#random();
		const odds: [Fault, number][] = [
			['drop', plan.drop ?? 0],
			['loseResponse', plan.loseResponse ?? 0],
			['reset', plan.reset ?? 0],
			['stall', plan.stall ?? 0],
			['delay', plan.delay?.probability ?? 0]
		];
		for (const [fault, probability] of odds) {
			if (draw < probability) return fault;
			draw -= probability;
		}
		return null;
	}

	#later(ms: number, action: () => void): void {
		const timer = setTimeout(() => {
			this.#timers.delete(timer);
			action();
		}, ms);
		this.#timers.add(timer);
	}

	async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
		const method = request.method ?? 'GET';
		const url = request.url ?? '/';
		const fault = this.#choose(method, url);
		const entry: ProxyLogEntry = { at: Date.now(), method, url, fault };
		this.log.push(entry);
		this.counts.requests++;
		if (fault) this.counts[fault]++;
		const socket = request.socket;

		if (fault === 'drop') {
			socket.destroy();
			return;
		}
		if (fault === 'rateLimit') {
			entry.status = 429;
			request.resume();
			response
				.writeHead(429, {
					'content-type': 'application/json',
					'retry-after': this.#plan.rateLimit!.retryAfter
				})
				.end(JSON.stringify({ statusCode: 429, code: 'rate_limited', message: 'proxy storm' }));
			return;
		}

		let body: Buffer;
		try {
			body = await readBody(request);
		} catch {
			return;
		}
		switch (fault) {
			case 'reset':
				this.#resetMidRequest(request, body, socket);
				return;
			case 'stall':
				this.#stall(request, body, socket);
				return;
			case 'delay':
				await new Promise<void>((resolve) => this.#later(this.#plan.delay!.ms, resolve));
				break;
		}
		const answer = await this.#forward(request, body);
		if (!answer) {
			this.counts.upstreamErrors++;
			entry.status = 502;
			if (!socket.destroyed) {
				response
					.writeHead(502, { 'content-type': 'application/json' })
					.end(JSON.stringify({ statusCode: 502, code: 'bad_gateway', message: 'proxy' }));
			}
			return;
		}
		if (fault === 'loseResponse') {
			socket.destroy();
			return;
		}
		if (socket.destroyed) return;
		entry.status = answer.status;
		response.writeHead(answer.status, withoutHopByHop(answer.headers)).end(answer.body);
	}

	/** The whole exchange with the server; null when it cannot be reached or hangs up. */
	#forward(request: IncomingMessage, body: Buffer): Promise<UpstreamAnswer | null> {
		this.counts.forwarded++;
		return new Promise((resolve) => {
			const upstream = http.request(
				{
					host: '127.0.0.1',
					port: this.#upstreamPort,
					method: request.method,
					path: request.url,
					headers: { ...withoutHopByHop(request.headers), 'content-length': body.length },
					agent: false
				},
				(answer) => {
					readBody(answer).then(
						(answerBody) =>
							resolve({
								status: answer.statusCode ?? 502,
								headers: answer.headers,
								body: answerBody
							}),
						() => resolve(null)
					);
				}
			);
			upstream.on('error', () => resolve(null));
			upstream.end(body);
		});
	}

	/** Sends the server the headers and half the body, then cuts both connections. */
	#resetMidRequest(request: IncomingMessage, body: Buffer, socket: Socket): void {
		const upstream = http.request({
			host: '127.0.0.1',
			port: this.#upstreamPort,
			method: request.method,
			path: request.url,
			headers: { ...withoutHopByHop(request.headers), 'content-length': body.length },
			agent: false
		});
		upstream.on('error', () => {});
		upstream.write(body.subarray(0, Math.floor(body.length / 2)), () => {
			upstream.destroy();
			socket.destroy();
		});
	}

	/** Answers nothing; once the client has given up, the request still reaches the server. */
	#stall(request: IncomingMessage, body: Buffer, socket: Socket): void {
		let forwarded = false;
		const forwardLate = () => {
			if (forwarded) return;
			forwarded = true;
			socket.destroy();
			void this.#forward(request, body);
		};
		socket.once('close', forwardLate);
		this.#later(STALL_LIMIT_MS, forwardLate);
	}
}
