const path = require('node:path');
const HtmlWebpackPlugin = require('html-webpack-plugin');

/** @type {import('webpack').Configuration} */
module.exports = {
  entry: './src/index.js',
  output: { path: path.resolve(__dirname, 'dist'), filename: '[name].[contenthash].js', clean: true },
  plugins: [new HtmlWebpackPlugin({ template: './src/index.html' })],
  // ONNX Runtime and MediaPipe are large on their own; their WASM comes from dist/emotion-detector/.
  performance: { hints: false },
};
