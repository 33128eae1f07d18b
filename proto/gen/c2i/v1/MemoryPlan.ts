// Original file: proto/c2i/v1/memory.proto


export interface _c2i_v1_MemoryPlan_MicroBatch {
  'rows'?: (number);
  'plannedRows'?: (number);
  'tokens'?: (number);
}

export interface _c2i_v1_MemoryPlan_MicroBatch__Output {
  'rows': (number);
  'plannedRows': (number);
  'tokens': (number);
}

export interface MemoryPlan {
  'model'?: (string);
  'backend'?: (string);
  'weightsOnHost'?: (boolean);
  'matrixDtypes'?: (string)[];
  'hostWeightBytes'?: (number | string);
  'backendWeightBytes'?: (number | string);
  'widenScratchBytes'?: (number | string);
  'gradientSumBytes'?: (number | string);
  'microBatch'?: (_c2i_v1_MemoryPlan_MicroBatch | null);
  'activationBytes'?: (number | string);
  'factorCacheBytes'?: (number | string);
  'layerCacheBytes'?: (number | string);
  'totalBytes'?: (number | string);
  'budgetBytes'?: (number | string);
  'requestedLayerCacheBytes'?: (number | string);
}

export interface MemoryPlan__Output {
  'model': (string);
  'backend': (string);
  'weightsOnHost': (boolean);
  'matrixDtypes': (string)[];
  'hostWeightBytes': (number);
  'backendWeightBytes': (number);
  'widenScratchBytes': (number);
  'gradientSumBytes': (number);
  'microBatch': (_c2i_v1_MemoryPlan_MicroBatch__Output | null);
  'activationBytes': (number);
  'factorCacheBytes': (number);
  'layerCacheBytes': (number);
  'totalBytes': (number);
  'budgetBytes': (number);
  'requestedLayerCacheBytes': (number);
}
