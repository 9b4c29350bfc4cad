package dev.switchboard.support;

import java.util.function.BiFunction;

import dev.switchboard.intercept.ConnectionContext;
import dev.switchboard.intercept.InterceptedRequest;
import dev.switchboard.intercept.InterceptedResponse;
import dev.switchboard.intercept.Interceptor;
import dev.switchboard.intercept.InterceptorFactory;
import dev.switchboard.intercept.Interest;
import dev.switchboard.intercept.RequestAction;
import dev.switchboard.intercept.ResponseAction;

/** Interceptors for tests, made from lambdas: one instance shared by every connection. */
public final class TestInterceptors {

    private TestInterceptors() {
    }

    public static InterceptorFactory onRequests(String name, Interest interest,
                                         BiFunction<InterceptedRequest, ConnectionContext, RequestAction> onRequest) {
        return of(name, interest, onRequest, (response, connection) -> ResponseAction.forward());
    }

    public static InterceptorFactory onResponses(String name, Interest interest,
                                          BiFunction<InterceptedResponse, ConnectionContext, ResponseAction> onResponse) {
        return of(name, interest, (request, connection) -> RequestAction.forward(), onResponse);
    }

    public static InterceptorFactory of(String name, Interest interest,
                                 BiFunction<InterceptedRequest, ConnectionContext, RequestAction> onRequest,
                                 BiFunction<InterceptedResponse, ConnectionContext, ResponseAction> onResponse) {
        return of(name, interest, onRequest, onResponse, () -> { });
    }

    /** Wants nothing; runs {@code onClose} when its connection closes. */
    public static InterceptorFactory onClose(String name, Runnable onClose) {
        return of(name, Interest.NONE, (request, connection) -> RequestAction.forward(),
                (response, connection) -> ResponseAction.forward(), onClose);
    }

    private static InterceptorFactory of(String name, Interest interest,
                                         BiFunction<InterceptedRequest, ConnectionContext, RequestAction> onRequest,
                                         BiFunction<InterceptedResponse, ConnectionContext, ResponseAction> onResponse,
                                         Runnable onClose) {
        return new InterceptorFactory() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Interceptor create(ConnectionContext connection) {
                return new Interceptor() {
                    @Override
                    public Interest interest() {
                        return interest;
                    }

                    @Override
                    public RequestAction onRequest(InterceptedRequest request, ConnectionContext context) {
                        return onRequest.apply(request, context);
                    }

                    @Override
                    public ResponseAction onResponse(InterceptedResponse response, ConnectionContext context) {
                        return onResponse.apply(response, context);
                    }

                    @Override
                    public void connectionClosed(ConnectionContext context) {
                        onClose.run();
                    }
                };
            }
        };
    }
}
