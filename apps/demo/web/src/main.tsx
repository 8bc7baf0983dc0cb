import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app.tsx';
import { loadPlayground } from './load-playground.ts';

const container = document.getElementById('root');
if (container === null) {
  throw new Error('index.html has no #root element');
}

// Started once, outside React: StrictMode runs state initialisers twice in development, which
// would create two playground sessions.
const initialLoad = loadPlayground({ isNewChat: false });

createRoot(container).render(
  <StrictMode>
    <App initialLoad={initialLoad} />
  </StrictMode>,
);
