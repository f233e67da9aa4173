// See postgresql.h.
#include "metrics/postgresql.h"

#include <libpq-fe.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <poll.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <set>
#include <utility>

namespace gearbox::metrics {

namespace {

using Clock = std::chrono::steady_clock;

// The keywords a connection string may use: where and how to connect. Left out, among others:
// passfile, service, sslcert, sslkey, sslrootcert, sslcrl (files of the controller's), hostaddr
// (an address the source access check would not see), replication.
const std::set<std::string> kAllowedKeywords = {"host",
                                                "port",
                                                "dbname",
                                                "user",
                                                "password",
                                                "sslmode",
                                                "application_name",
                                                "connect_timeout",
                                                "options",
                                                "client_encoding",
                                                "channel_binding",
                                                "target_session_attrs",
                                                "keepalives",
                                                "keepalives_idle",
                                                "keepalives_interval",
                                                "keepalives_count",
                                                "tcp_user_timeout",
                                                "sslsni",
                                                "sslcompression"};

// The numeric types a query's one column may have (pg_type OIDs): int2, int4, int8, oid, float4,
// float8, numeric.
bool NumericType(Oid type) {
  return type == 21 || type == 23 || type == 20 || type == 26 || type == 700 || type == 701 ||
         type == 1700;
}

Error ConfigError(const std::string& why) {
  return Error::Of(Error::Kind::kConfig, "postgresql: " + why);
}

std::vector<std::string> SplitCommas(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    size_t comma = s.find(',', start);
    out.push_back(s.substr(start, comma - start));
    if (comma == std::string::npos) return out;
    start = comma + 1;
  }
}

// The keywords a connection string sets, each checked; the host and port lists.
Result<std::pair<std::string, std::string>> ParseConninfo(const std::string& conninfo) {
  char* error = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(conninfo.c_str(), &error);
  PQfreemem(error);  // it may quote the string, password and all: never shown
  if (!parsed) return ConfigError("the connection string does not parse");
  std::string host, port, refused;
  for (PQconninfoOption* o = parsed; o->keyword; ++o) {
    if (!o->val) continue;
    if (!kAllowedKeywords.count(o->keyword) && refused.empty()) refused = o->keyword;
    if (std::string(o->keyword) == "host") host = o->val;
    if (std::string(o->keyword) == "port") port = o->val;
  }
  PQconninfoFree(parsed);
  if (!refused.empty())
    return ConfigError("the connection string may not set " + refused +
                       " (allowed: where and how to connect)");
  return std::pair{host, port};
}

Result<int> PortNumber(const std::string& text) {
  if (text.empty()) return 5432;
  char* end = nullptr;
  long port = std::strtol(text.c_str(), &end, 10);
  if (*end || port <= 0 || port > 65535) return ConfigError("a port is not a number");
  return static_cast<int>(port);
}

}  // namespace

Result<std::vector<PostgresHost>> PostgresHosts(const PostgresOptions& options) {
  std::string hosts = options.host, ports = std::to_string(options.port);
  if (!options.conninfo.empty()) {
    ASSIGN_OR_RETURN(auto found, ParseConninfo(options.conninfo));
    std::tie(hosts, ports) = found;
  }
  if (hosts.empty()) return ConfigError("no host (a Unix socket is not read)");
  std::vector<std::string> host_list = SplitCommas(hosts), port_list = SplitCommas(ports);
  if (port_list.size() != 1 && port_list.size() != host_list.size())
    return ConfigError("the connection string's hosts and ports do not pair up");
  std::vector<PostgresHost> out;
  for (size_t i = 0; i < host_list.size(); ++i) {
    const std::string& h = host_list[i];
    if (h.empty() || h.front() == '/' || h.front() == '@')
      return ConfigError("a host is empty or a Unix socket (only network hosts are read)");
    ASSIGN_OR_RETURN(int port, PortNumber(port_list.size() == 1 ? port_list[0] : port_list[i]));
    out.push_back({h, port});
  }
  return out;
}

PostgresConnection::~PostgresConnection() {
  MutexLock lock(mu_);
  Drop();
}

void PostgresConnection::Drop() {
  if (conn_) PQfinish(conn_);
  conn_ = nullptr;
}

std::string PostgresConnection::Describe() const {
  auto hosts = PostgresHosts(options_);
  if (!hosts || hosts->empty()) return "postgresql";
  return "postgresql " + (*hosts)[0].host + ":" + std::to_string((*hosts)[0].port);
}

namespace {

// Waits until the socket can be read (or written) or the deadline passes: false then.
bool WaitFor(int fd, bool write, Clock::time_point deadline) {
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd, static_cast<short>(write ? POLLOUT : POLLIN), 0};
    int n = ::poll(&p, 1, static_cast<int>(left.count()));
    if (n > 0) return true;
    if (n == 0) return false;
    if (errno != EINTR) return true;  // the next libpq call reports the socket's error
  }
}

// Why a connection failed, from libpq's message, which is not shown: it quotes the server.
Error ConnectError(const std::string& where, const std::string& message) {
  auto has = [&](const char* s) { return message.find(s) != std::string::npos; };
  if (has("password") || has("authentication") || has("pg_hba.conf"))
    return Error::Of(Error::Kind::kAuth,
                     where + ": the server refused the login (are user and password right?)");
  if (has("SSL") || has("certificate"))
    return Error::Of(Error::Kind::kTls, where + ": TLS was refused or failed (see sslmode)");
  if (has("FATAL"))
    return Error::Of(Error::Kind::kApi,
                     where + ": the server refused the connection (does the database exist?)");
  return Error::Of(Error::Kind::kTransport, where + ": cannot connect");
}

std::string Millis(std::chrono::milliseconds d) { return std::to_string(d.count()) + "ms"; }

// Whether `pem` holds at least one certificate, read with OpenSSL (nothing of it is shown).
bool HoldsCertificate(const std::string& pem) {
  std::unique_ptr<BIO, int (*)(BIO*)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())),
                                          BIO_free);
  X509* cert = bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr;
  X509_free(cert);
  ERR_clear_error();
  return cert != nullptr;
}

// The CA of sslrootcert as a file for libpq: an anonymous memory file, named by its
// /proc/self/fd path while it is open (see postgresql.h). No CA: no file, an empty path.
class CaFile {
 public:
  static Result<CaFile> Of(const std::string& pem, const std::string& where) {
    CaFile file;
    if (pem.empty()) return file;
    if (!HoldsCertificate(pem))
      return Error::Of(Error::Kind::kConfig,
                       where + ": caSecretRef does not hold a PEM certificate");
    file.fd_ = ::memfd_create("gearbox-postgres-ca", MFD_CLOEXEC);
    if (file.fd_ < 0 || !WriteAll(file.fd_, pem))
      return Error::Of(Error::Kind::kTls, where + ": cannot hold the CA for libpq");
    return file;
  }
  CaFile(CaFile&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  CaFile& operator=(CaFile&&) = delete;
  ~CaFile() {
    if (fd_ >= 0) ::close(fd_);
  }
  std::string path() const { return fd_ < 0 ? "" : "/proc/self/fd/" + std::to_string(fd_); }

 private:
  CaFile() = default;
  static bool WriteAll(int fd, const std::string& text) {
    for (size_t done = 0; done < text.size();) {
      const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      done += static_cast<size_t>(n);
    }
    return true;
  }
  int fd_ = -1;
};

// The connection's keywords and values: the connection string (expanded by libpq) or the
// fields, then what Gearbox sets whatever they say.
struct Params {
  std::vector<std::string> keys, values;
  void Add(const char* k, const std::string& v) {
    keys.push_back(k);
    values.push_back(v);
  }
};

Params ConnectParams(const PostgresOptions& o, const std::string& root_cert) {
  Params p;
  if (!o.conninfo.empty()) {
    p.Add("dbname", o.conninfo);
  } else {
    p.Add("host", o.host);
    p.Add("port", std::to_string(o.port));
    p.Add("dbname", o.database);
    p.Add("user", o.user);
    if (!o.password.empty()) p.Add("password", o.password);
  }
  if (!o.sslmode.empty()) p.Add("sslmode", o.sslmode);
  if (!root_cert.empty()) p.Add("sslrootcert", root_cert);
  p.Add("passfile", "/dev/null/none");  // never the controller's ~/.pgpass
  p.Add("gssencmode", "disable");
  p.Add("application_name", "gearbox");
  const auto seconds = std::max<long long>(
      2, std::chrono::duration_cast<std::chrono::seconds>(o.connect_timeout).count());
  p.Add("connect_timeout", std::to_string(seconds));  // per host: the deadline bounds them all
  return p;
}

}  // namespace

Status PostgresConnection::Poll(Time deadline) {
  for (;;) {
    PostgresPollingStatusType state = PQconnectPoll(conn_);
    if (state == PGRES_POLLING_OK) return OkStatus();
    if (state == PGRES_POLLING_FAILED) return ConnectError(Describe(), PQerrorMessage(conn_));
    if (!WaitFor(PQsocket(conn_), state == PGRES_POLLING_WRITING, deadline))
      return Error::Of(Error::Kind::kTimeout,
                       Describe() + ": no connection within " + Millis(options_.connect_timeout));
  }
}

Status PostgresConnection::Connect(Time read_deadline) {
  if (conn_ && PQstatus(conn_) == CONNECTION_OK) return OkStatus();
  Drop();
  if (auto hosts = PostgresHosts(options_); !hosts) return hosts.error();
  // Open until the attempt is over: libpq reads it while connecting (to every host it tries).
  ASSIGN_OR_RETURN(const CaFile ca, CaFile::Of(options_.ca_pem, Describe()));
  Params p = ConnectParams(options_, ca.path());
  std::vector<const char*> keys, values;
  for (size_t i = 0; i < p.keys.size(); ++i) {
    keys.push_back(p.keys[i].c_str());
    values.push_back(p.values[i].c_str());
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);
  conn_ = PQconnectStartParams(keys.data(), values.data(), /*expand_dbname=*/1);
  if (!conn_ || PQstatus(conn_) == CONNECTION_BAD) {
    Error e = conn_ ? ConnectError(Describe(), PQerrorMessage(conn_))
                    : Error::Of(Error::Kind::kTransport, Describe() + ": out of memory");
    Drop();
    return e;
  }
  // What the server says in notices (a query's RAISE NOTICE) goes nowhere, not to the log.
  PQsetNoticeProcessor(
      conn_, [](void*, const char*) {}, nullptr);
  Status s = Poll(std::min(read_deadline, Clock::now() + options_.connect_timeout));
  if (s.ok() && PQsetnonblocking(conn_, 1) != 0)
    s = Error::Of(Error::Kind::kTransport, Describe() + ": cannot make the socket non-blocking");
  if (!s.ok()) Drop();
  return s;
}

namespace {

using PgResult = std::unique_ptr<PGresult, void (*)(PGresult*)>;

// An error result's SQLSTATE when it is one (five digits or capitals), else "".
std::string SqlState(const PGresult* r) {
  const char* code = PQresultErrorField(r, PG_DIAG_SQLSTATE);
  std::string s = code ? code : "";
  bool valid = s.size() == 5 && std::all_of(s.begin(), s.end(), [](char c) {
                 return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z');
               });
  return valid ? s : "";
}

// A failed step as a fixed reason and the SQLSTATE: the server's message may quote data.
Error SqlError(const std::string& where, const PGresult* r, std::chrono::milliseconds limit) {
  const std::string state = SqlState(r);
  const std::string code = state.empty() ? "" : " (SQLSTATE " + state + ")";
  if (state == "57014")
    return Error::Of(Error::Kind::kTimeout,
                     where + ": the query ran past statementTimeout (" + Millis(limit) + ")");
  if (state == "25006")
    return Error::Of(Error::Kind::kApi,
                     where + ": the query writes, and it runs in a read-only transaction" + code);
  if (state == "42501" || state.rfind("28", 0) == 0)
    return Error::Of(Error::Kind::kAuth, where + ": permission denied" + code);
  if (state.rfind("08", 0) == 0)
    return Error::Of(Error::Kind::kTransport, where + ": the connection failed" + code);
  return Error::Of(Error::Kind::kApi, where + ": the query failed" + code);
}

}  // namespace

Status PostgresConnection::Send(bool sent, Time deadline) {
  if (!sent) return Error::Of(Error::Kind::kTransport, Describe() + ": the connection failed");
  for (;;) {
    int left = PQflush(conn_);
    if (left == 0) return OkStatus();
    if (left < 0) return Error::Of(Error::Kind::kTransport, Describe() + ": the connection failed");
    if (!WaitFor(PQsocket(conn_), true, deadline))
      return Error::Of(Error::Kind::kTimeout,
                       Describe() + ": no answer within " + Millis(options_.timeout));
  }
}

// Reads until the next result is complete (PQgetResult will not block), by the deadline.
Status PostgresConnection::Receive(Time deadline) {
  while (PQisBusy(conn_)) {
    if (!WaitFor(PQsocket(conn_), false, deadline))
      return Error::Of(Error::Kind::kTimeout,
                       Describe() + ": no answer within " + Millis(options_.timeout));
    if (PQconsumeInput(conn_) == 0)
      return Error::Of(Error::Kind::kTransport, Describe() + ": the connection failed");
  }
  return OkStatus();
}

// Every result of the command sent must be a success without rows (BEGIN, PREPARE, ROLLBACK).
Status PostgresConnection::ExpectOk(const char* step, Time deadline) {
  std::optional<Error> failed;
  for (;;) {
    RETURN_IF_ERROR(Receive(deadline));
    PgResult r(PQgetResult(conn_), PQclear);
    if (!r) break;
    if (PQresultStatus(r.get()) != PGRES_COMMAND_OK && !failed)
      failed = SqlError(Describe() + ": " + step, r.get(), options_.statement_timeout);
  }
  if (failed) return *failed;
  return OkStatus();
}

// The prepared query's description: one column, of a numeric type.
Status PostgresConnection::CheckColumn(Time deadline) {
  std::optional<Error> failed;
  for (;;) {
    RETURN_IF_ERROR(Receive(deadline));
    PgResult r(PQgetResult(conn_), PQclear);
    if (!r) break;
    if (failed) continue;
    if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) {
      failed = SqlError(Describe() + ": the query", r.get(), options_.statement_timeout);
    } else if (PQnfields(r.get()) != 1) {
      failed = Error::Of(Error::Kind::kAmbiguous, Describe() + ": the query gives " +
                                                      std::to_string(PQnfields(r.get())) +
                                                      " columns; it must give one number");
    } else if (!NumericType(PQftype(r.get(), 0))) {
      failed = Error::Of(Error::Kind::kNotANumber,
                         Describe() +
                             ": the query's column is not of a numeric type (cast it, "
                             "e.g. ::numeric)");
    }
  }
  if (failed) return *failed;
  return OkStatus();
}

// The one row's one value, read a row at a time: a second row is an error without reading on.
Result<Reading> PostgresConnection::ReadRows(Time deadline) {
  int rows = 0;
  std::optional<std::string> value;
  for (;;) {
    RETURN_IF_ERROR(Receive(deadline));
    PgResult r(PQgetResult(conn_), PQclear);
    if (!r) break;
    ExecStatusType status = PQresultStatus(r.get());
    if (status == PGRES_TUPLES_OK) continue;
    if (status != PGRES_SINGLE_TUPLE)
      return SqlError(Describe() + ": the query", r.get(), options_.statement_timeout);
    if (++rows > 1)
      return Error::Of(Error::Kind::kAmbiguous,
                       Describe() + ": the query returned more than one row; it must return one");
    if (!PQgetisnull(r.get(), 0, 0)) value = PQgetvalue(r.get(), 0, 0);
  }
  if (rows == 0) return Error::Of(Error::Kind::kNoData, Describe() + ": the query returned no row");
  if (!value) return Error::Of(Error::Kind::kNoData, Describe() + ": the query returned NULL");
  char* end = nullptr;
  double v = std::strtod(value->c_str(), &end);
  if (end == value->c_str() || *end || !std::isfinite(v))
    return Error::Of(Error::Kind::kNotANumber, Describe() + ": the query's value is not finite");
  return Reading{v, "1 row"};
}

Result<Reading> PostgresConnection::InTransaction(const std::string& query, Time deadline) {
  const std::string begin = "BEGIN TRANSACTION READ ONLY; SET LOCAL statement_timeout = " +
                            std::to_string(options_.statement_timeout.count());
  RETURN_IF_ERROR(Send(PQsendQuery(conn_, begin.c_str()), deadline));
  RETURN_IF_ERROR(ExpectOk("BEGIN", deadline));
  RETURN_IF_ERROR(Send(PQsendPrepare(conn_, "", query.c_str(), 0, nullptr), deadline));
  RETURN_IF_ERROR(ExpectOk("the query", deadline));
  RETURN_IF_ERROR(Send(PQsendDescribePrepared(conn_, ""), deadline));
  RETURN_IF_ERROR(CheckColumn(deadline));
  RETURN_IF_ERROR(Send(PQsendQueryPrepared(conn_, "", 0, nullptr, nullptr, nullptr, 0), deadline));
  PQsetSingleRowMode(conn_);
  ASSIGN_OR_RETURN(Reading reading, ReadRows(deadline));
  RETURN_IF_ERROR(Send(PQsendQuery(conn_, "ROLLBACK"), deadline));
  RETURN_IF_ERROR(ExpectOk("ROLLBACK", deadline));
  return reading;
}

Result<Reading> PostgresConnection::Query(const std::string& query) {
  MutexLock lock(mu_);
  const Time deadline = Clock::now() + options_.timeout;
  RETURN_IF_ERROR(Connect(deadline));
  auto reading = InTransaction(query, deadline);
  // After a failure the session's state is unknown (a transaction open, results unread): the
  // next read starts on a new connection.
  if (!reading) Drop();
  return reading;
}

}  // namespace gearbox::metrics
