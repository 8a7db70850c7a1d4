// Worker-thread entry: runs one shard and posts its result (the histogram travels encoded, merged exactly by
// the parent). Messages out: {type:'ready'} once built, {type:'begin', lateMs} when traffic starts, {type:'start'}
// / {type:'end'} around the measured window, then {type:'result'}. Messages in: {start: monoMs} (the shared
// start of every shard of the load), 'abort'.
import { parentPort, workerData } from 'node:worker_threads';
import { Shard, type ShardOptions } from './shard.js';

interface WorkerInput {
  opts: ShardOptions;
  counters: Float64Array;
}

const input = workerData as WorkerInput;
const port = parentPort!;
const shard = new Shard(input.opts, input.counters, {
  onMeasureStart: () => port.postMessage({ type: 'start' }),
  onMeasureEnd: () => port.postMessage({ type: 'end' }),
  onBegin: (lateMs) => port.postMessage({ type: 'begin', lateMs }),
});
port.on('message', (m: unknown) => {
  if (m === 'abort') shard.abort();
  else if (typeof m === 'object' && m !== null && 'start' in m) {
    void shard.run((m as { start: number }).start).then((result) => {
      port.postMessage({ type: 'result', result });
      port.close();
    });
  }
});
port.postMessage({ type: 'ready' });
