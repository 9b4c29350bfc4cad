/**
 * Interceptors of the gateway core itself, as opposed to those of a feature such as failover (in its own package):
 * each is a {@link dev.switchboard.intercept.InterceptorFactory} the gateway registers when its config asks for it.
 */
package dev.switchboard.interceptors;
