/** The package's public interface: the core API (see src/api). */
export * from './api/index.js';
