export { type DemoConfig, loadDemoConfig } from './config.ts';
export { createDemoModel, type DemoModelOptions } from './demo-model.ts';
export { modelFromConfig } from './model-from-config.ts';
export { demoTools, getWeather, type WeatherReport } from './weather-tool.ts';
