/**
 * Virtual producer ids: the producer identity idempotent clients see, the same whichever cluster serves them.
 *
 * <p>{@link dev.switchboard.producerids.VirtualProducerIds} says how a virtual id is made from the real id the first
 * cluster gave and which cluster that was. {@link dev.switchboard.producerids.ProducerBindings} keeps, for producers
 * that produce on another cluster than the one their id came from, the real identity obtained there
 * ({@link dev.switchboard.producerids.ProducerBinding}), from {@link dev.switchboard.producerids.ProducerIdSource}.
 * {@link dev.switchboard.producerids.VirtualProducers} is the interceptor that translates InitProducerId and Produce
 * between the two.
 */
package dev.switchboard.producerids;
