// vitest setup file: fast-check's default size ("small") caps every generated string and array
// at 10 elements whatever maxLength says, so a property over "text up to 300 bytes" never saw
// more than 10 and never reached a 16-byte SIMD block. "medium" lets lengths reach about 100;
// properties that need longer inputs still ask for them with `size`.
import fc from 'fast-check';

fc.configureGlobal({ ...fc.readConfigureGlobal(), baseSize: 'medium' });
