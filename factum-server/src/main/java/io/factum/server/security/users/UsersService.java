package io.factum.server.security.users;

import io.factum.api.AccessDeniedException;
import io.factum.protocol.users.ChangePasswordReq;
import io.factum.protocol.users.ChangePasswordResp;
import io.factum.protocol.users.CreateReq;
import io.factum.protocol.users.CreateResp;
import io.factum.protocol.users.DeleteReq;
import io.factum.protocol.users.DeleteResp;
import io.factum.protocol.users.DetailsReq;
import io.factum.protocol.users.DetailsResp;
import io.factum.protocol.users.DisableReq;
import io.factum.protocol.users.DisableResp;
import io.factum.protocol.users.EnableReq;
import io.factum.protocol.users.EnableResp;
import io.factum.protocol.users.ResetPasswordReq;
import io.factum.protocol.users.ResetPasswordResp;
import io.factum.protocol.users.UpdateReq;
import io.factum.protocol.users.UpdateResp;
import io.factum.protocol.users.UsersGrpc;
import io.factum.server.grpc.CallPrincipal;
import io.factum.server.grpc.GrpcErrors;
import io.factum.server.security.AccessPolicy;
import io.factum.server.security.Principal;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.time.Instant;
import java.util.List;

/**
 * The Users service of the client protocol. Rules, as KurrentDB's: administrators manage users; a
 * user may read its own details and change its own password (knowing the current one); nobody else
 * may. Access is checked before the user is looked up, so a refused caller learns nothing about
 * which users exist.
 *
 * <p>Errors: NOT_FOUND {@code user-not-found}, FAILED_PRECONDITION {@code user-conflict} (both with
 * a {@code login-name} trailer), PERMISSION_DENIED {@code access-denied} (also for a wrong current
 * password), INVALID_ARGUMENT for bad names, groups or passwords.
 */
public final class UsersService extends UsersGrpc.UsersImplBase {

    static final Metadata.Key<String> LOGIN_NAME = Metadata.Key.of("login-name", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> EXCEPTION = Metadata.Key.of("exception", Metadata.ASCII_STRING_MARSHALLER);
    private static final String MANAGE = "managing users";

    private final UserStore users;
    private final AccessPolicy policy;

    public UsersService(UserStore users, AccessPolicy policy) {
        this.users = users;
        this.policy = policy;
    }

    @Override
    public void create(CreateReq request, StreamObserver<CreateResp> response) {
        unary(response, CreateResp.getDefaultInstance(), () -> {
            policy.checkAdmin(CallPrincipal.current(), MANAGE);
            var o = request.getOptions();
            users.create(o.getLoginName(), o.getFullName(), o.getGroupsList(), o.getPassword());
        });
    }

    @Override
    public void update(UpdateReq request, StreamObserver<UpdateResp> response) {
        unary(response, UpdateResp.getDefaultInstance(), () -> {
            policy.checkAdmin(CallPrincipal.current(), MANAGE);
            var o = request.getOptions();
            users.update(login(o.getLoginName()), o.getFullName(), o.getGroupsList(), o.getPassword());
        });
    }

    @Override
    public void delete(DeleteReq request, StreamObserver<DeleteResp> response) {
        unary(response, DeleteResp.getDefaultInstance(), () -> {
            policy.checkAdmin(CallPrincipal.current(), MANAGE);
            users.delete(login(request.getOptions().getLoginName()));
        });
    }

    @Override
    public void enable(EnableReq request, StreamObserver<EnableResp> response) {
        unary(response, EnableResp.getDefaultInstance(), () -> {
            policy.checkAdmin(CallPrincipal.current(), MANAGE);
            users.setDisabled(login(request.getOptions().getLoginName()), false);
        });
    }

    @Override
    public void disable(DisableReq request, StreamObserver<DisableResp> response) {
        unary(response, DisableResp.getDefaultInstance(), () -> {
            policy.checkAdmin(CallPrincipal.current(), MANAGE);
            users.setDisabled(login(request.getOptions().getLoginName()), true);
        });
    }

    @Override
    public void resetPassword(ResetPasswordReq request, StreamObserver<ResetPasswordResp> response) {
        unary(response, ResetPasswordResp.getDefaultInstance(), () -> {
            policy.checkAdmin(CallPrincipal.current(), MANAGE);
            var o = request.getOptions();
            users.resetPassword(login(o.getLoginName()), o.getNewPassword());
        });
    }

    @Override
    public void changePassword(ChangePasswordReq request, StreamObserver<ChangePasswordResp> response) {
        unary(response, ChangePasswordResp.getDefaultInstance(), () -> {
            var o = request.getOptions();
            login(o.getLoginName());
            if (!isSelf(CallPrincipal.current(), o.getLoginName())) {
                // As in KurrentDB, not even administrators: they reset passwords instead.
                throw new AccessDeniedException("access denied: a user may only change its own password;"
                        + " administrators use ResetPassword");
            }
            users.changePassword(o.getLoginName(), o.getCurrentPassword(), o.getNewPassword());
        });
    }

    @Override
    public void details(DetailsReq request, StreamObserver<DetailsResp> response) {
        try {
            String login = request.getOptions().getLoginName();
            Principal who = CallPrincipal.current();
            if (login.isEmpty() || !isSelf(who, login)) {
                policy.checkAdmin(who, login.isEmpty() ? "listing users" : "reading another user's details");
            }
            List<StoredUser> found = login.isEmpty() ? users.list() : List.of(users.get(login));
            for (StoredUser user : found) {
                response.onNext(details(user));
            }
            response.onCompleted();
        } catch (RuntimeException e) {
            response.onError(toStatus(e));
        }
    }

    /**
     * The login a request names, checked as at creation: a request without options or with an
     * impossible login is refused as invalid, not answered "user '' does not exist".
     */
    private static String login(String login) {
        UserRules.checkLogin(login);
        return login;
    }

    private static boolean isSelf(Principal who, String login) {
        return who instanceof Principal.User user && user.name().equals(login);
    }

    static DetailsResp details(StoredUser user) {
        UserRecord r = user.record();
        return DetailsResp.newBuilder()
                .setUserDetails(DetailsResp.UserDetails.newBuilder()
                        .setLoginName(r.loginName())
                        .setFullName(r.fullName())
                        .addAllGroups(r.groups())
                        .setDisabled(r.disabled())
                        .setLastUpdated(DetailsResp.UserDetails.DateTime.newBuilder()
                                .setTicksSinceEpoch(ticks(user.lastUpdated()))))
                .build();
    }

    /** 100-nanosecond ticks since the Unix epoch, as the protocol counts time. */
    static long ticks(Instant instant) {
        return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 10_000_000L), instant.getNano() / 100);
    }

    private static <T> void unary(StreamObserver<T> response, T reply, Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            response.onError(toStatus(e));
            return;
        }
        response.onNext(reply);
        response.onCompleted();
    }

    static StatusRuntimeException toStatus(RuntimeException error) {
        return switch (error) {
            case UserNotFoundException e -> withLogin(Status.NOT_FOUND, "user-not-found", e.loginName(), e);
            case UserConflictException e -> withLogin(Status.FAILED_PRECONDITION, "user-conflict", e.loginName(), e);
            default -> GrpcErrors.toStatus(error);
        };
    }

    private static StatusRuntimeException withLogin(Status status, String exception, String login, Exception e) {
        Metadata trailers = new Metadata();
        trailers.put(EXCEPTION, exception);
        // Trailer values must be ASCII; a non-ASCII login is named in the description instead.
        if (login.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
            trailers.put(LOGIN_NAME, login);
        }
        return status.withDescription(e.getMessage()).asRuntimeException(trailers);
    }
}
