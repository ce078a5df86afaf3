/** User classes named by the example in docs/configuration.md (test only). */
@NonNullByDefault
package com.acme.sync;

import dev.binlogsync.core.NonNullByDefault;
