/** Built-in defaults; their value types are the types of the settings. */
export const DEFAULTS = {
  server: { host: '127.0.0.1', port: 3000, trustProxy: false },
  log: { level: 'info', pretty: false },
  features: { allowedOrigins: ['http://localhost:3000'] },
};
