// Original file: proto/c2i/v1/shards.proto

import type { KSubspacesSettings as _c2i_v1_KSubspacesSettings, KSubspacesSettings__Output as _c2i_v1_KSubspacesSettings__Output } from '../../c2i/v1/KSubspacesSettings.ts';

export interface EditDetails {
  'rowScale'?: (number | string)[];
  'colScale'?: (number | string)[];
  'kSubspaces'?: (_c2i_v1_KSubspacesSettings | null);
  '_kSubspaces'?: "kSubspaces";
}

export interface EditDetails__Output {
  'rowScale': (number)[];
  'colScale': (number)[];
  'kSubspaces'?: (_c2i_v1_KSubspacesSettings__Output | null);
  '_kSubspaces'?: "kSubspaces";
}
