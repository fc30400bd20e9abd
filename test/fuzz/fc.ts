/**
 * fast-check as the fuzz property tests use it: an explicit maxLength is the
 * real bound of the generated lengths (by default fast-check keeps arrays to
 * about ten elements whatever maxLength says, which would leave most of a
 * parser's length checks unexercised).
 */

import fc from 'fast-check';

fc.configureGlobal({ defaultSizeToMaxWhenMaxSpecified: true });

export default fc;
