// Worker-thread entry: runs one shard and posts its result (the histogram travels encoded, merged exactly by
// the parent). Messages out: {type:'start'} / {type:'end'} around the measured window, then {type:'result'}.
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
});
port.on('message', (m: unknown) => {
  if (m === 'abort') shard.abort();
});
void shard.run().then((result) => {
  port.postMessage({ type: 'result', result });
  port.close();
});
