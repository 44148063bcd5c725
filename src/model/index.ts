// V-TYPES: the domain's value types and their checked constructors.
export * from './enums.js';
export * from './fields.js';
export * from './planes.js';
export * from './result.js';
export * from './scan.js';
