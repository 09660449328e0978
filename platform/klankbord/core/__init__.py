"""Cross-cutting helpers: time, language, security headers, errors, health."""
