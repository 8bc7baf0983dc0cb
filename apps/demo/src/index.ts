export { bookTable, type TableBooking, type TableRequest } from './book-table-tool.ts';
export { type DemoConfig, loadDemoConfig } from './config.ts';
export { createDemoModel, type DemoModelOptions } from './demo-model.ts';
export { demoToolApproval, demoTools } from './demo-tools.ts';
export { modelFromConfig } from './model-from-config.ts';
export { getWeather, type WeatherReport } from './weather-tool.ts';
