// One bundle per deployable: the AWS SDK is bundled and minified into the watchdog
// (AWS's advice for Lambda: a cold import of ~40 ms instead of ~400 ms from node_modules).
import commonjs from '@rollup/plugin-commonjs';
import json from '@rollup/plugin-json';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';

// The oldest Lambda runtime we support is nodejs22.x; the same zip runs on nodejs24.x.
const NODE_TARGET = 'es2023';

/** A Node program in one ES module file, dependencies included. */
export function nodeBundle({ input, file, tsInclude }) {
  return {
    input,
    output: { file, format: 'es', sourcemap: false, inlineDynamicImports: true },
    // Node's built-ins stay imports; everything else is bundled.
    external: (id) => id.startsWith('node:'),
    plugins: [
      typescript({ tsconfig: './tsconfig.json', include: tsInclude, compilerOptions: { noEmit: false, target: NODE_TARGET, outDir: undefined, declaration: false } }),
      nodeResolve({ preferBuiltins: true, exportConditions: ['node'] }),
      commonjs(),
      json(),
      terser({ ecma: 2020, module: true, compress: { passes: 2 }, format: { comments: false } }),
    ],
    onwarn(warning, warn) {
      // The SDK's bundled code uses `this` at module level in a few UMD shims; harmless in ESM.
      if (warning.code === 'THIS_IS_UNDEFINED') return;
      warn(warning);
    },
  };
}

export default [
  nodeBundle({ input: 'lambda/watchdog/src/index.ts', file: 'lambda/watchdog/dist/index.mjs', tsInclude: ['lambda/watchdog/src/**/*.ts'] }),
  // The laptop's healthcheck: no dependencies beyond Node's built-ins; ES2023 runs on the Node 20 it needs at least.
  nodeBundle({ input: 'laptop/src/main.ts', file: 'laptop/dist/healthcheck.mjs', tsInclude: ['laptop/src/**/*.ts'] }),
];
