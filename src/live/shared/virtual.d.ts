/** The files of a block's TypeScript program, bundled at build (src/live/build/vite-block-types.ts). */
declare module 'virtual:mmspec-block-files' {
  const files: Record<string, string>;
  export default files;
}
