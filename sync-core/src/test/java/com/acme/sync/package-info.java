/** User classes named by the example in docs/configuration.md (test only). */
@ParametersAreNonnullByDefault
package com.acme.sync;

import javax.annotation.ParametersAreNonnullByDefault;
