/** Converts a raw string to the option's declared type ('string' | 'number' | 'boolean'). */
export function coerce(option, raw) {
  switch (option.type) {
    case 'number': {
      const value = Number(raw);
      if (raw === '' || Number.isNaN(value)) throw new ArgumentError(`--${option.name} expects a number, got "${raw}"`);
      return value;
    }
    case 'boolean':
      if (raw === undefined || raw === 'true') return true;
      if (raw === 'false') return false;
      throw new ArgumentError(`--${option.name} expects true or false, got "${raw}"`);
    default:
      return raw;
  }
}

export class ArgumentError extends Error {
  constructor(message) {
    super(message);
    this.name = 'ArgumentError';
  }
}
