const path = require('node:path');
const HtmlWebpackPlugin = require('html-webpack-plugin');

/** @type {import('webpack').Configuration} */
module.exports = {
  entry: './src/index.js',
  output: { path: path.resolve(__dirname, 'dist'), filename: '[name].[contenthash].js', clean: true },
  plugins: [new HtmlWebpackPlugin({ template: './src/index.html' })],
  module: {
    rules: [
      // ONNX Runtime names its own WASM builds with new URL(..., import.meta.url); the engine loads
      // them from assetsBase instead, so webpack need not copy 39 MB of them into the build.
      { test: /[\\/]onnxruntime-web[\\/]/, parser: { url: false } },
    ],
  },
  // MediaPipe's bundle has a dynamic import() of an expression (its own loader script): harmless.
  ignoreWarnings: [{ module: /@mediapipe[\\/]tasks-vision/, message: /Critical dependency/ }],
  // The engine's runtimes are large on their own; their WASM comes from dist/emotion-detector/.
  performance: { hints: false },
};
