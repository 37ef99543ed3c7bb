// berth_native: the few syscalls Node 20 cannot make (mount, mknod, xattrs,
// SOCK_SEQPACKET sockets, network namespaces). Plain C + Node-API so it builds against any Node
// >= 18 without extra dependencies. Interface: src/kernel/native.ts.
#include <node_api.h>
#include <uv.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/xattr.h>
#include <unistd.h>

// ---------------------------------------------------------------- errors

// Throws an Error shaped like Node's own system errors: message
// "mount /a: EPERM (Operation not permitted)", .code 'EPERM', .errno -1
// (negative, as Node/libuv report it), .syscall and .path.
static napi_value throw_errno(napi_env env, const char *syscall, const char *path, int err) {
  const char *name = strerrorname_np(err);
  if (!name) name = "UNKNOWN";
  char msg[4400];
  snprintf(msg, sizeof msg, "%s%s%s: %s (%s)", syscall, path ? " " : "", path ? path : "", name,
           strerror(err));
  napi_value code, message, error, v;
  napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &code);
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &message);
  napi_create_error(env, code, message, &error);
  napi_create_int32(env, -err, &v);
  napi_set_named_property(env, error, "errno", v);
  napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, error, "syscall", v);
  if (path) {
    napi_create_string_utf8(env, path, NAPI_AUTO_LENGTH, &v);
    napi_set_named_property(env, error, "path", v);
  }
  napi_throw(env, error);
  return NULL;
}

// ---------------------------------------------------------------- arguments

// Argument parsing: getters record the first failure (a pending TypeError)
// so a function can read all its arguments and check `failed` once.
typedef struct {
  napi_env env;
  bool failed;
  char *strs[5];
  int nstrs;
} args_t;

static bool get_args(args_t *a, napi_callback_info info, size_t want, napi_value *argv, void **data) {
  size_t argc = want;
  napi_get_cb_info(a->env, info, &argc, argv, NULL, data);
  if (argc < want) {
    napi_throw_type_error(a->env, "ERR_MISSING_ARGS", "missing arguments");
    a->failed = true;
  }
  return !a->failed;
}

static void type_error(args_t *a, const char *expected) {
  if (a->failed) return;
  char msg[64];
  snprintf(msg, sizeof msg, "argument must be %s", expected);
  napi_throw_type_error(a->env, "ERR_INVALID_ARG_TYPE", msg);
  a->failed = true;
}

// Returns a NUL-terminated copy; rejects embedded NULs, which would silently
// cut a path short (mounting "/a\0/b" on "/a" is not what anyone meant).
static const char *arg_str(args_t *a, napi_value v) {
  size_t len;
  if (a->failed) return NULL;
  if (napi_get_value_string_utf8(a->env, v, NULL, 0, &len) != napi_ok) return type_error(a, "a string"), NULL;
  char *s = malloc(len + 1);
  napi_get_value_string_utf8(a->env, v, s, len + 1, &len);
  a->strs[a->nstrs++] = s;
  if (strlen(s) != len) return type_error(a, "a string without NUL bytes"), NULL;
  return s;
}

static int32_t arg_i32(args_t *a, napi_value v) {
  int32_t n = 0;
  if (!a->failed && napi_get_value_int32(a->env, v, &n) != napi_ok) type_error(a, "a number");
  return n;
}

static uint32_t arg_u32(args_t *a, napi_value v) {
  uint32_t n = 0;
  if (!a->failed && napi_get_value_uint32(a->env, v, &n) != napi_ok) type_error(a, "a number");
  return n;
}

static bool arg_bool(args_t *a, napi_value v) {
  bool b = false;
  if (!a->failed && napi_get_value_bool(a->env, v, &b) != napi_ok) type_error(a, "a boolean");
  return b;
}

static void *arg_buf(args_t *a, napi_value v, size_t *len) {
  void *data = NULL;
  bool is_buf = false;
  *len = 0;
  if (a->failed) return NULL;
  napi_is_buffer(a->env, v, &is_buf);
  if (!is_buf || napi_get_buffer_info(a->env, v, &data, len) != napi_ok) type_error(a, "a Buffer");
  return data;
}

static void fail(args_t *a, const char *syscall, const char *path, int err) {
  throw_errno(a->env, syscall, path, err);
  a->failed = true;
}

static napi_value args_done(args_t *a, napi_value result) {
  for (int i = 0; i < a->nstrs; i++) free(a->strs[i]);
  return a->failed ? NULL : result;
}

static napi_value undefined(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

// mount(2) reads "" as a real value; callers pass "" for "none".
static const char *or_null(const char *s) { return s && *s ? s : NULL; }

// ---------------------------------------------------------------- mounts, nodes, xattrs

static napi_value js_mount(napi_env env, napi_callback_info info) {
  args_t a = {.env = env};
  napi_value v[5];
  if (!get_args(&a, info, 5, v, NULL)) return NULL;
  const char *src = arg_str(&a, v[0]), *target = arg_str(&a, v[1]), *fstype = arg_str(&a, v[2]);
  uint32_t flags = arg_u32(&a, v[3]);
  const char *data = arg_str(&a, v[4]);
  if (!a.failed && mount(or_null(src), target, or_null(fstype), flags, or_null(data)) < 0)
    fail(&a, "mount", target, errno);
  return args_done(&a, undefined(env));
}

static napi_value js_umount(napi_env env, napi_callback_info info) {
  args_t a = {.env = env};
  napi_value v[2];
  if (!get_args(&a, info, 2, v, NULL)) return NULL;
  const char *target = arg_str(&a, v[0]);
  bool detach = arg_bool(&a, v[1]);
  if (!a.failed && umount2(target, detach ? MNT_DETACH : 0) < 0)
    fail(&a, "umount", target, errno);
  return args_done(&a, undefined(env));
}

static napi_value js_mknod(napi_env env, napi_callback_info info) {
  args_t a = {.env = env};
  napi_value v[4];
  if (!get_args(&a, info, 4, v, NULL)) return NULL;
  const char *file = arg_str(&a, v[0]);
  uint32_t mode = arg_u32(&a, v[1]), major = arg_u32(&a, v[2]), minor = arg_u32(&a, v[3]);
  if (!a.failed && mknod(file, mode, makedev(major, minor)) < 0)
    fail(&a, "mknod", file, errno);
  return args_done(&a, undefined(env));
}

static napi_value js_lsetxattr(napi_env env, napi_callback_info info) {
  args_t a = {.env = env};
  napi_value v[3];
  size_t len;
  if (!get_args(&a, info, 3, v, NULL)) return NULL;
  const char *file = arg_str(&a, v[0]), *name = arg_str(&a, v[1]);
  void *value = arg_buf(&a, v[2], &len);
  if (!a.failed && lsetxattr(file, name, value, len, 0) < 0)
    fail(&a, "lsetxattr", file, errno);
  return args_done(&a, undefined(env));
}

// An xattr value or name list, whose size is only known by asking: ask for the size,
// then read; retry if it grew in between (ERANGE). Returns its length with the bytes
// in *buf (to free), or -1 with *buf NULL and the error in *err.
typedef ssize_t (*xattr_reader)(const char *file, const char *name, void *buf, size_t size);

static ssize_t read_xattr_sized(xattr_reader reader, const char *file, const char *name, char **buf, int *err) {
  for (;;) {
    ssize_t size = reader(file, name, NULL, 0), n = -1;
    *buf = size >= 0 ? malloc(size + 1) : NULL;
    if (*buf) n = reader(file, name, *buf, size);
    *err = errno;
    if (n >= 0) return n;
    free(*buf);
    *buf = NULL;
    if (*err != ERANGE) return -1;
  }
}

// llistxattr in read_xattr_sized's shape (a list has no name).
static ssize_t list_xattr_names(const char *file, const char *name, void *buf, size_t size) {
  (void)name;
  return llistxattr(file, buf, size);
}

static napi_value js_lgetxattr(napi_env env, napi_callback_info info) {
  args_t a = {.env = env};
  napi_value v[2], result = undefined(env);
  if (!get_args(&a, info, 2, v, NULL)) return NULL;
  const char *file = arg_str(&a, v[0]), *name = arg_str(&a, v[1]);
  if (!a.failed) {
    char *buf;
    int err;
    ssize_t n = read_xattr_sized(lgetxattr, file, name, &buf, &err);
    if (n >= 0) napi_create_buffer_copy(env, n, buf, NULL, &result);
    else if (err != ENODATA) fail(&a, "lgetxattr", file, err);
    free(buf);
  }
  return args_done(&a, result);
}

static napi_value js_llistxattr(napi_env env, napi_callback_info info) {
  args_t a = {.env = env};
  napi_value v[1], result = NULL;
  if (!get_args(&a, info, 1, v, NULL)) return NULL;
  const char *file = arg_str(&a, v[0]);
  if (!a.failed) {
    char *buf;
    int err;
    ssize_t n = read_xattr_sized(list_xattr_names, file, NULL, &buf, &err);
    if (n >= 0) {
      // The kernel returns the names as a sequence of NUL-terminated strings.
      napi_create_array(env, &result);
      uint32_t i = 0;
      for (char *p = buf; p < buf + n; p += strlen(p) + 1) {
        napi_value s;
        napi_create_string_utf8(env, p, NAPI_AUTO_LENGTH, &s);
        napi_set_element(env, result, i++, s);
      }
    } else {
      fail(&a, "llistxattr", file, err);
    }
    free(buf);
  }
  return args_done(&a, result);
}

// ---------------------------------------------------------------- seqpacket sockets

static napi_value js_seqpacket_connect(napi_env env, napi_callback_info info) {
  args_t a = {.env = env};
  napi_value v[1], result = NULL;
  if (!get_args(&a, info, 1, v, NULL)) return NULL;
  const char *path = arg_str(&a, v[0]);
  if (a.failed) return args_done(&a, NULL);

  struct sockaddr_un sa = {.sun_family = AF_UNIX};
  int dirfd = -1, fd = -1, err = 0;
  const char *slash = strrchr(path, '/');
  if (strlen(path) < sizeof sa.sun_path) {
    strcpy(sa.sun_path, path);
  } else if (slash) {
    // sun_path holds 108 bytes and conmon's attach socket lives deep in the
    // bundle directory; reach it through an O_PATH fd of its directory instead
    // (the same trick conmon uses when it binds the socket).
    char *dir = slash == path ? strdup("/") : strndup(path, slash - path);
    dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    err = dirfd < 0 ? errno : 0;
    free(dir);
    if (!err && (size_t)snprintf(sa.sun_path, sizeof sa.sun_path, "/proc/self/fd/%d/%s", dirfd,
                                 slash + 1) >= sizeof sa.sun_path)
      err = ENAMETOOLONG;
  } else {
    err = ENAMETOOLONG;
  }
  if (!err) {
    // Connect in blocking mode: a non-blocking connect on a unix socket fails
    // with EAGAIN when the listener's backlog is full instead of waiting.
    fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0 ||
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0)
      err = errno;
  }
  if (dirfd >= 0) close(dirfd);
  if (err) {
    if (fd >= 0) close(fd);
    fail(&a, "connect", path, err);
  } else {
    napi_create_int32(env, fd, &result);
  }
  return args_done(&a, result);
}

static napi_value js_seqpacket_send(napi_env env, napi_callback_info info) {
  args_t a = {.env = env};
  napi_value v[2];
  size_t len;
  if (!get_args(&a, info, 2, v, NULL)) return NULL;
  int fd = arg_i32(&a, v[0]);
  const void *data = arg_buf(&a, v[1], &len);
  // Never blocks: a peer that stops reading (a container that ignores its stdin)
  // must not stall berthd's event loop. false means "full, try again later".
  // An empty packet reads as end-of-stream (recv() == 0) on the other side,
  // so sending one would look like a hang-up to conmon: skip it.
  bool sent = true;
  while (!a.failed && len > 0) {
    if (send(fd, data, len, MSG_NOSIGNAL | MSG_DONTWAIT) >= 0) break;  // seqpacket: all or nothing
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      sent = false;
      break;
    }
    fail(&a, "send", NULL, errno);
  }
  napi_value result = NULL;
  if (!a.failed) napi_get_boolean(env, sent, &result);
  return args_done(&a, result);
}

static napi_value js_shutdown_write(napi_env env, napi_callback_info info) {
  args_t a = {.env = env};
  napi_value v[1];
  if (!get_args(&a, info, 1, v, NULL)) return NULL;
  int fd = arg_i32(&a, v[0]);
  if (!a.failed && shutdown(fd, SHUT_WR) < 0) fail(&a, "shutdown", NULL, errno);
  return args_done(&a, undefined(env));
}

static napi_value js_close(napi_env env, napi_callback_info info) {
  args_t a = {.env = env};
  napi_value v[1];
  if (!get_args(&a, info, 1, v, NULL)) return NULL;
  int fd = arg_i32(&a, v[0]);
  // No retry on EINTR: on Linux the fd is gone either way.
  if (!a.failed && close(fd) < 0 && errno != EINTR) fail(&a, "close", NULL, errno);
  return args_done(&a, undefined(env));
}

// ---------------------------------------------------------------- seqpacketWatch

// One watch. Everything runs on the JS thread, so the care here is about
// lifetimes. The struct is shared by the uv_poll handle (until its close
// callback) and the JS stop() function (until it is garbage collected), and is
// freed when both let go. JS references are dropped as soon as the watch stops,
// unless we are inside our own callback loop, which then drops them on exit.
// An async cleanup hook makes a terminating worker wait for the handle's close
// callback: otherwise the callback could run after Node unloads this library.
#define WATCH_MAX_PER_WAKEUP 64  // let other I/O run; uv_poll is level-triggered

// One receive buffer per thread (each Node worker has its own loop): packets
// are copied out before JS runs, so watches never need it at the same time.
// 64 KiB exceeds any packet conmon sends (8 KiB + 1); longer ones would be cut.
static _Thread_local char recv_buf[65536];

typedef struct {
  uv_poll_t poll;
  napi_env env;
  napi_ref callback;
  napi_async_context async;
  napi_async_cleanup_hook_handle cleanup;
  int fd, refs;
  bool stopped, in_callback;
} watch_t;

static void watch_unref(watch_t *w) {
  if (--w->refs == 0) free(w);
}

static void watch_release_js(watch_t *w) {
  if (!w->callback) return;
  napi_delete_reference(w->env, w->callback);
  napi_async_destroy(w->env, w->async);
  w->callback = NULL;
}

static void on_poll_closed(uv_handle_t *h) {
  watch_t *w = h->data;
  napi_remove_async_cleanup_hook(w->cleanup);  // teardown may now proceed
  watch_unref(w);
}

static void watch_stop(watch_t *w) {
  if (w->stopped) return;
  w->stopped = true;
  uv_poll_stop(&w->poll);  // no more callbacks; uv_close below lets the loop exit
  uv_close((uv_handle_t *)&w->poll, on_poll_closed);
  if (!w->in_callback) watch_release_js(w);
}

// The environment (a worker, or the process) is going away while we watch.
static void on_env_cleanup(napi_async_cleanup_hook_handle handle, void *arg) { watch_stop(arg); }

static void watch_call(watch_t *w, napi_value arg) {
  napi_env env = w->env;
  napi_value fn, recv, ignored;
  napi_get_reference_value(env, w->callback, &fn);
  napi_get_global(env, &recv);
  // make_callback (not call_function) so microtasks and nextTicks run after
  // each packet, as for any other I/O callback; an exception becomes an
  // 'uncaughtException' rather than vanishing.
  if (napi_make_callback(env, w->async, recv, fn, 1, &arg, &ignored) == napi_pending_exception) {
    napi_value exc;
    napi_get_and_clear_last_exception(env, &exc);
    napi_fatal_exception(env, exc);
  }
}

static void on_poll(uv_poll_t *h, int status, int events) {
  watch_t *w = h->data;
  napi_handle_scope scope;
  napi_open_handle_scope(w->env, &scope);
  w->in_callback = true;
  for (int i = 0; !w->stopped && i < WATCH_MAX_PER_WAKEUP; i++) {
    ssize_t n = -1;
    if (status >= 0) {
      do n = recv(w->fd, recv_buf, sizeof recv_buf, MSG_DONTWAIT);
      while (n < 0 && errno == EINTR);
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    }
    napi_value arg;
    if (n > 0) napi_create_buffer_copy(w->env, n, recv_buf, NULL, &arg);
    else napi_get_null(w->env, &arg);  // EOF or error: the stream is over
    watch_call(w, arg);
    if (n <= 0) watch_stop(w);
  }
  w->in_callback = false;
  if (w->stopped) watch_release_js(w);
  napi_close_handle_scope(w->env, scope);
}

static napi_value js_watch_stop(napi_env env, napi_callback_info info) {
  watch_t *w;
  napi_get_cb_info(env, info, NULL, NULL, NULL, (void **)&w);
  watch_stop(w);
  return undefined(env);
}

static void on_stop_fn_finalized(napi_env env, void *data, void *hint) { watch_unref(data); }

static napi_value js_seqpacket_watch(napi_env env, napi_callback_info info) {
  args_t a = {.env = env};
  napi_value v[2], result, stop, name;
  napi_valuetype type;
  if (!get_args(&a, info, 2, v, NULL)) return NULL;
  int fd = arg_i32(&a, v[0]);
  if (!a.failed && (napi_typeof(env, v[1], &type) != napi_ok || type != napi_function))
    type_error(&a, "a function");
  if (a.failed) return NULL;

  uv_loop_t *loop;
  napi_get_uv_event_loop(env, &loop);
  watch_t *w = calloc(1, sizeof *w);
  w->env = env;
  w->fd = fd;
  w->poll.data = w;
  int r = uv_poll_init(loop, &w->poll, fd);
  if (r < 0) {  // nothing registered with libuv yet
    free(w);
    return throw_errno(env, "seqpacketWatch", NULL, -r);
  }
  // From here on the handle must be closed, and teardown must wait for that.
  napi_add_async_cleanup_hook(env, on_env_cleanup, w, &w->cleanup);
  w->refs = 1;  // the poll handle
  if ((r = uv_poll_start(&w->poll, UV_READABLE | UV_DISCONNECT, on_poll)) < 0) {
    watch_stop(w);
    return throw_errno(env, "seqpacketWatch", NULL, -r);
  }
  napi_create_reference(env, v[1], 1, &w->callback);
  napi_create_string_utf8(env, "berth:seqpacket", NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, NULL, name, &w->async);

  napi_create_function(env, "stop", NAPI_AUTO_LENGTH, js_watch_stop, w, &stop);
  w->refs++;  // the stop function
  napi_add_finalizer(env, stop, w, on_stop_fn_finalized, NULL, NULL);
  napi_create_object(env, &result);
  napi_set_named_property(env, result, "stop", stop);
  return result;
}

// ---------------------------------------------------------------- network namespaces

// Namespaces belong to threads: only the calling (JS) thread ever moves, and only
// for the length of one synchronous call, so libuv's pool and Node's other threads
// stay in berthd's namespace throughout and no JS runs elsewhere meanwhile.
#define THREAD_NETNS "/proc/thread-self/ns/net"

// Back to the namespace saved before moving. Failing here would leave the event
// loop's thread in a container's namespace, where every socket berthd opens next
// would silently land: nothing sane can continue.
static void return_to_netns(int saved) {
  if (setns(saved, CLONE_NEWNET) < 0)
    napi_fatal_error("berth_native", NAPI_AUTO_LENGTH, "cannot return to berthd's network namespace",
                     NAPI_AUTO_LENGTH);
  close(saved);
}

// Sets IFF_UP on lo in the calling thread's namespace (as `ip link set lo up`):
// returns 0 or an errno, with the failing call in *syscall.
static int loopback_up(const char **syscall) {
  struct ifreq ifr = {.ifr_name = "lo"};
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), err = 0;
  if (fd < 0) return *syscall = "socket", errno;
  if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) {
    *syscall = "ioctl SIOCGIFFLAGS", err = errno;
  } else {
    ifr.ifr_flags |= IFF_UP;
    if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0) *syscall = "ioctl SIOCSIFFLAGS", err = errno;
  }
  close(fd);
  return err;
}

// A new, empty network namespace with lo up, kept alive by a bind mount on path
// (as `ip netns add`), without a process to hold it.
static napi_value js_create_netns(napi_env env, napi_callback_info info) {
  args_t a = {.env = env};
  napi_value v[1];
  if (!get_args(&a, info, 1, v, NULL)) return NULL;
  const char *path = arg_str(&a, v[0]);
  if (a.failed) return args_done(&a, NULL);

  const char *syscall = "open";
  int err = 0, saved = -1;
  int file = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
  bool created = file >= 0;
  if (created) close(file);
  else if (errno != EEXIST) err = errno;
  if (!err && (saved = open(THREAD_NETNS, O_RDONLY | O_CLOEXEC)) < 0) err = errno;
  if (!err && unshare(CLONE_NEWNET) < 0) {
    syscall = "unshare", err = errno;
    close(saved);
  } else if (!err) {
    if (mount(THREAD_NETNS, path, NULL, MS_BIND, NULL) < 0) syscall = "mount", err = errno;
    else if ((err = loopback_up(&syscall)) != 0) umount2(path, MNT_DETACH);
    return_to_netns(saved);
  }
  if (err) {
    if (created) unlink(path);
    fail(&a, syscall, path, err);
  }
  return args_done(&a, undefined(env));
}

static napi_value js_delete_netns(napi_env env, napi_callback_info info) {
  args_t a = {.env = env};
  napi_value v[1];
  if (!get_args(&a, info, 1, v, NULL)) return NULL;
  const char *path = arg_str(&a, v[0]);
  // EINVAL: not mounted, a file left by a crash between creating and mounting it.
  if (!a.failed && umount2(path, MNT_DETACH) < 0 && errno != ENOENT && errno != EINVAL)
    fail(&a, "umount", path, errno);
  if (!a.failed && unlink(path) < 0 && errno != ENOENT) fail(&a, "unlink", path, errno);
  return args_done(&a, undefined(env));
}

// A bound (and for tcp, listening) AF_INET socket that lives in the namespace
// mounted at path, for Node to adopt by fd: a socket keeps the namespace it was
// created in, wherever the process that uses it runs.
static napi_value js_open_socket_in_netns(napi_env env, napi_callback_info info) {
  args_t a = {.env = env};
  napi_value v[4], result = NULL;
  if (!get_args(&a, info, 4, v, NULL)) return NULL;
  const char *path = arg_str(&a, v[0]), *type = arg_str(&a, v[1]), *address = arg_str(&a, v[2]);
  uint32_t port = arg_u32(&a, v[3]);
  bool tcp = !a.failed && strcmp(type, "tcp") == 0;
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
  if (!a.failed && !tcp && strcmp(type, "udp") != 0) type_error(&a, "'udp' or 'tcp'");
  if (!a.failed && inet_pton(AF_INET, address, &sa.sin_addr) != 1) type_error(&a, "an IPv4 address");
  if (!a.failed && port > 65535) type_error(&a, "a port number");
  if (a.failed) return args_done(&a, NULL);

  const char *syscall = "open";
  int err = 0, fd = -1, saved = -1, one = 1;
  int target = open(path, O_RDONLY | O_CLOEXEC);
  if (target < 0 || (saved = open(THREAD_NETNS, O_RDONLY | O_CLOEXEC)) < 0) {
    err = errno;
  } else if (setns(target, CLONE_NEWNET) < 0) {
    syscall = "setns", err = errno;
    close(saved);
  } else {
    fd = socket(AF_INET, (tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) syscall = "socket", err = errno;
    else if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0) syscall = "setsockopt", err = errno;
    else if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) syscall = "bind", err = errno;
    else if (tcp && listen(fd, 128) < 0) syscall = "listen", err = errno;
    return_to_netns(saved);
  }
  if (target >= 0) close(target);
  if (err) {
    if (fd >= 0) close(fd);
    fail(&a, syscall, path, err);
  } else {
    napi_create_int32(env, fd, &result);
  }
  return args_done(&a, result);
}

// ---------------------------------------------------------------- module

#define FN(name, fn) {name, NULL, fn, NULL, NULL, NULL, napi_enumerable, NULL}

NAPI_MODULE_INIT() {
  napi_property_descriptor fns[] = {
      FN("mount", js_mount),
      FN("umount", js_umount),
      FN("mknod", js_mknod),
      FN("lsetxattr", js_lsetxattr),
      FN("lgetxattr", js_lgetxattr),
      FN("llistxattr", js_llistxattr),
      FN("seqpacketConnect", js_seqpacket_connect),
      FN("seqpacketWatch", js_seqpacket_watch),
      FN("seqpacketSend", js_seqpacket_send),
      FN("shutdownWrite", js_shutdown_write),
      FN("close", js_close),
      FN("createNetns", js_create_netns),
      FN("deleteNetns", js_delete_netns),
      FN("openSocketInNetns", js_open_socket_in_netns),
  };
  napi_define_properties(env, exports, sizeof fns / sizeof fns[0], fns);
  return exports;
}
