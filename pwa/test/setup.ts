// Test set-up: an in-memory IndexedDB for the outbox and a clean localStorage per test.
import 'fake-indexeddb/auto';
import { beforeEach } from 'vitest';

beforeEach(() => {
  localStorage.clear();
});
