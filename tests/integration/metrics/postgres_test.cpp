// The PostgreSQL query source against a real PostgreSQL server from Debian's packages, started by
// the test on 127.0.0.1:18301 (initdb into a temporary directory, its Unix socket there too), with
// a role that may only read the table it counts, and insert into one scratch table (so that a
// refused write is the read-only transaction's doing, not a missing grant). A second server, on
// 127.0.0.1 and 127.0.0.2:18321, speaks TLS only, with a certificate of the test's own CA for
// localhost and 127.0.0.1: the CA from caSecretRef verifies it.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <thread>

#include "metrics/postgresql.h"
#include "servers.h"

namespace gearbox::metrics::testing {
namespace {

using namespace std::chrono_literals;

constexpr int kPostgresPort = 18301;
constexpr int kSilentPort = 18309;  // accepts connections, never answers
constexpr const char* kPostgresDir = "/tmp/gearbox-postgres-test";
constexpr const char* kReaderPassword = "reader-pass";
constexpr int kTlsPort = 18321;
constexpr const char* kTlsDir = "/tmp/gearbox-postgres-tls-test";

// Debian's server binaries (initdb, pg_ctl) are not on PATH.
std::string PgBin() {
  std::string dir = Sh("ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1");
  while (!dir.empty() && dir.back() == '\n') dir.pop_back();
  return dir;
}

// As the postgres user when the test runs as root (initdb refuses root).
std::string AsServerUser(const std::string& command) {
  if (geteuid() != 0) return command;
  return "runuser -u postgres -- " + command;
}

std::string Psql(const std::string& db, const std::string& sql,
                 const std::string& dir = kPostgresDir, int port = kPostgresPort) {
  int rc = 0;
  std::string out =
      Sh(AsServerUser(PgBin() + "/psql -X -q -t -A -h " + dir + " -p " + std::to_string(port) +
                      " -U admin -d " + db + " -c \"" + sql + "\""),
         &rc);
  EXPECT_EQ(rc, 0) << out;
  return out;
}

void StopPostgres(const std::string& dir) {
  Sh(AsServerUser(PgBin() + "/pg_ctl -D " + dir + "/data -m immediate stop"));
}

// A new cluster in `dir` (with what `setup` puts there first, all owned by the server's user)
// served on `port` with `options` (-c ...), its Unix socket in `dir`.
void StartPostgres(
    const std::string& dir, int port, const std::string& options,
    const std::function<void()>& setup = [] {}) {
  StopPostgres(dir);
  Sh("rm -rf " + dir + " && mkdir -p " + dir);
  setup();
  if (geteuid() == 0) Sh("chown -R postgres " + dir);
  int rc = 0;
  std::string out = Sh(AsServerUser(PgBin() + "/initdb -D " + dir +
                                    "/data -U admin --auth-local=trust "
                                    "--auth-host=scram-sha-256 >" +
                                    dir + "/initdb.log 2>&1"),
                       &rc);
  ASSERT_EQ(rc, 0) << Sh("tail -5 " + dir + "/initdb.log");
  out = Sh(AsServerUser(PgBin() + "/pg_ctl -D " + dir + "/data -l " + dir +
                        "/server.log -w -t 20 -o \"-p " + std::to_string(port) + " -k " + dir +
                        " " + options + "\" start"),
           &rc);
  ASSERT_EQ(rc, 0) << out << Sh("tail -5 " + dir + "/server.log");
}

class Postgres : public ::testing::Test {
 public:
  static void SetUpTestSuite() {
    StartPostgres(kPostgresDir, kPostgresPort, "-c listen_addresses=127.0.0.1");
    if (HasFatalFailure()) return;
    Psql("postgres", std::string("CREATE ROLE reader LOGIN PASSWORD '") + kReaderPassword + "'");
    Psql("postgres", "CREATE DATABASE app");
    Psql("app",
         "CREATE TABLE jobs (id serial, state text); "
         "INSERT INTO jobs (state) SELECT 'queued' FROM generate_series(1, 7); "
         "INSERT INTO jobs (state) SELECT 'done' FROM generate_series(1, 3); "
         "CREATE TABLE scratch (n int); CREATE TABLE secrets (value text); "
         "INSERT INTO secrets VALUES ('hunter2'); "
         "GRANT SELECT ON jobs, secrets TO reader; GRANT SELECT, INSERT ON scratch TO reader");
    silent_fd_ = Listen(kSilentPort);
    ASSERT_GE(silent_fd_, 0);
  }
  static void TearDownTestSuite() {
    StopPostgres(kPostgresDir);
    if (silent_fd_ >= 0) close(silent_fd_);
    silent_fd_ = -1;
  }

 protected:
  static PostgresOptions Fields(std::string password = kReaderPassword) {
    PostgresOptions o;
    o.host = "127.0.0.1";
    o.port = kPostgresPort;
    o.database = "app";
    o.user = "reader";
    o.password = std::move(password);
    o.sslmode = "disable";
    return o;
  }

 private:
  static int Listen(int port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(fd, 16) != 0) {
      close(fd);
      return -1;
    }
    return fd;
  }
  static inline int silent_fd_ = -1;
};

Result<Reading> Query(const PostgresOptions& o, const std::string& sql) {
  return PostgresConnection(o).Query(sql);
}

TEST_F(Postgres, ReadsTheQuerysNumberWithFieldsAndWithConnectionStrings) {
  auto fields = Query(Fields(), "SELECT count(*) FROM jobs WHERE state = 'queued'");
  ASSERT_TRUE(fields.ok()) << fields.error().message;
  EXPECT_EQ(fields->value, 7);

  PostgresOptions keywords;
  keywords.conninfo = "host=127.0.0.1 port=" + std::to_string(kPostgresPort) +
                      " dbname=app user=reader password=" + kReaderPassword + " sslmode=disable";
  auto by_keywords = Query(keywords, "SELECT ceil(count(*)::decimal / 4) FROM jobs");
  ASSERT_TRUE(by_keywords.ok()) << by_keywords.error().message;
  EXPECT_EQ(by_keywords->value, 3);  // KEDA's docs' shape: ceil(10 / 4)

  PostgresOptions uri;
  uri.conninfo = "postgresql://reader:" + std::string(kReaderPassword) +
                 "@127.0.0.1:" + std::to_string(kPostgresPort) + "/app?sslmode=disable";
  auto by_uri = Query(uri, "SELECT avg(id)::float8 FROM jobs WHERE state = 'done'");
  ASSERT_TRUE(by_uri.ok()) << by_uri.error().message;
  EXPECT_EQ(by_uri->value, 9);  // ids 8, 9, 10
}

TEST_F(Postgres, TheConnectionIsKeptAndReadsFollowTheData) {
  PostgresConnection conn(Fields());
  auto first = conn.Query("SELECT count(*) FROM jobs WHERE state = 'queued'");
  ASSERT_TRUE(first.ok()) << first.error().message;
  Psql("app", "INSERT INTO jobs (state) VALUES ('queued'), ('queued')");
  auto second = conn.Query("SELECT count(*) FROM jobs WHERE state = 'queued'");
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_EQ(second->value, first->value + 2);
  Psql("app", "DELETE FROM jobs WHERE id > 10");
}

TEST_F(Postgres, AWriteIsRefusedByTheReadOnlyTransaction) {
  // The role may insert into scratch: only the transaction stops it.
  auto insert = Query(Fields(), "INSERT INTO scratch VALUES (1) RETURNING n");
  ASSERT_FALSE(insert.ok());
  EXPECT_EQ(insert.error().kind, Error::Kind::kApi);
  EXPECT_NE(insert.error().message.find("read-only transaction"), std::string::npos)
      << insert.error().message;
  EXPECT_NE(insert.error().message.find("SQLSTATE 25006"), std::string::npos);
  // A second statement after a read is refused too: the query is prepared alone.
  auto smuggled = Query(Fields(), "SELECT 1; INSERT INTO scratch VALUES (2)");
  ASSERT_FALSE(smuggled.ok());
  // And a transaction switched to read-write is not the query's to make.
  auto switched = Query(Fields(), "SET TRANSACTION READ WRITE");
  ASSERT_FALSE(switched.ok());
  EXPECT_EQ(Psql("app", "SELECT count(*) FROM scratch"), "0\n");
}

TEST_F(Postgres, ASlowQueryIsCutByTheStatementTimeout) {
  PostgresOptions o = Fields();
  o.statement_timeout = 500ms;
  o.timeout = 4s;
  PostgresConnection conn(o);
  auto start = std::chrono::steady_clock::now();
  auto slow = conn.Query("SELECT 1 FROM pg_sleep(10)");
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(slow.ok());
  EXPECT_EQ(slow.error().kind, Error::Kind::kTimeout);
  EXPECT_NE(slow.error().message.find("statementTimeout (500ms)"), std::string::npos)
      << slow.error().message;
  EXPECT_LT(took, 2s);  // the server stopped it, not the 4s deadline
  // The next read works (a new connection).
  auto next = conn.Query("SELECT 42");
  ASSERT_TRUE(next.ok()) << next.error().message;
  EXPECT_EQ(next->value, 42);
}

TEST_F(Postgres, AServerThatNeverAnswersIsCutByTheOverallTimeout) {
  PostgresOptions o = Fields();
  o.port = kSilentPort;
  o.connect_timeout = 5s;
  o.statement_timeout = 500ms;
  o.timeout = 1s;
  auto start = std::chrono::steady_clock::now();
  auto r = Query(o, "SELECT 1");
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, Error::Kind::kTimeout) << r.error().message;
  EXPECT_GE(took, 900ms);
  EXPECT_LT(took, 2s);
}

TEST_F(Postgres, AWrongPasswordIsAnAuthErrorThatDoesNotEchoTheServer) {
  auto r = Query(Fields("not-the-password"), "SELECT 1");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, Error::Kind::kAuth) << r.error().message;
  // The server's words ("FATAL:  password authentication failed for user "reader"") stay out.
  EXPECT_EQ(r.error().message.find("FATAL"), std::string::npos) << r.error().message;
  EXPECT_EQ(r.error().message.find("\"reader\""), std::string::npos) << r.error().message;
  EXPECT_EQ(r.error().message.find("not-the-password"), std::string::npos);
}

TEST_F(Postgres, ResultsOfTheWrongShapeAreRefusedWithoutTheirData) {
  struct Case {
    const char* sql;
    Error::Kind kind;
    const char* says;
  } cases[] = {
      {"SELECT count(*), max(id) FROM jobs", Error::Kind::kAmbiguous, "2 columns"},
      {"SELECT value FROM secrets", Error::Kind::kNotANumber, "not of a numeric type"},
      {"SELECT id FROM jobs", Error::Kind::kAmbiguous, "more than one row"},
      {"SELECT id FROM jobs WHERE false", Error::Kind::kNoData, "no row"},
      {"SELECT NULL::int", Error::Kind::kNoData, "NULL"},
      {"SELECT 'NaN'::float8", Error::Kind::kNotANumber, "not finite"},
      // The server's error would quote the secret: "invalid input syntax ... "hunter2""
      {"SELECT value::numeric FROM secrets", Error::Kind::kApi, "SQLSTATE 22P02"},
      {"SELECT secret_column FROM jobs", Error::Kind::kApi, "SQLSTATE 42703"},
  };
  PostgresConnection conn(Fields());
  for (const Case& c : cases) {
    auto r = conn.Query(c.sql);
    ASSERT_FALSE(r.ok()) << c.sql;
    EXPECT_EQ(r.error().kind, c.kind) << c.sql << ": " << r.error().message;
    EXPECT_NE(r.error().message.find(c.says), std::string::npos)
        << c.sql << ": " << r.error().message;
    EXPECT_EQ(r.error().message.find("hunter2"), std::string::npos) << c.sql;
    EXPECT_EQ(r.error().message.find("secret_column"), std::string::npos) << c.sql;
  }
  // Still usable after all of them.
  auto ok = conn.Query("SELECT count(*) FROM jobs");
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->value, 10);
}

TEST_F(Postgres, SslmodeIsRespected) {
  // The server has no TLS: require must not fall back to a plain connection.
  PostgresOptions o = Fields();
  o.sslmode = "require";
  auto r = Query(o, "SELECT 1");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, Error::Kind::kTls) << r.error().message;
  o.sslmode = "prefer";  // falls back, as libpq's prefer does
  auto preferred = Query(o, "SELECT 1");
  EXPECT_TRUE(preferred.ok()) << preferred.error().message;
}

TEST_F(Postgres, NoticesOfTheQueryAreNotPrinted) {
  Psql("app",
       "CREATE OR REPLACE FUNCTION noisy() RETURNS int LANGUAGE plpgsql AS "
       "\\$\\$ BEGIN RAISE NOTICE 'secret %', (SELECT value FROM secrets); RETURN 5; END \\$\\$; "
       "GRANT EXECUTE ON FUNCTION noisy() TO reader");
  ::testing::internal::CaptureStderr();
  auto r = Query(Fields(), "SELECT noisy()");
  std::string printed = ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->value, 5);
  EXPECT_EQ(printed.find("hunter2"), std::string::npos) << printed;
}

// ---- TLS, the server verified with the CA of caSecretRef ----

std::string ReadText(const std::string& path) { return Sh("cat " + path); }

class PostgresTls : public ::testing::Test {
 public:
  static void SetUpTestSuite() {
    const std::string dir = kTlsDir;
    StartPostgres(dir, kTlsPort,
                  "-c listen_addresses=127.0.0.1,127.0.0.2 -c ssl=on -c ssl_cert_file=" + dir +
                      "/tls/server.crt -c ssl_key_file=" + dir + "/tls/server.key",
                  [&] {
                    MakeCertificates(dir);             // the server's CA and certificate
                    MakeCertificates(dir + "/other");  // a CA that did not sign it
                    Sh("chmod 600 " + dir + "/tls/server.key");
                  });
    if (HasFatalFailure()) return;
    Psql("postgres", std::string("CREATE ROLE reader LOGIN PASSWORD '") + kReaderPassword + "'",
         dir, kTlsPort);
  }
  static void TearDownTestSuite() { StopPostgres(kTlsDir); }

 protected:
  static PostgresOptions Verified(const std::string& host, const std::string& sslmode) {
    PostgresOptions o;
    o.host = host;
    o.port = kTlsPort;
    o.database = "postgres";
    o.user = "reader";
    o.password = kReaderPassword;
    o.sslmode = sslmode;
    o.ca_pem = ReadText(std::string(kTlsDir) + "/tls/ca.crt");
    return o;
  }
};

TEST_F(PostgresTls, TheCaFromTheSecretVerifiesTheServerWithFieldsAndConnectionStrings) {
  auto fields = Query(Verified("127.0.0.1", "verify-full"), "SELECT 1");
  ASSERT_TRUE(fields.ok()) << fields.error().message;
  EXPECT_EQ(fields->value, 1);
  PostgresOptions conninfo = Verified("", "");
  conninfo.conninfo = "host=127.0.0.1 port=" + std::to_string(kTlsPort) +
                      " dbname=postgres user=reader password=" + kReaderPassword +
                      " sslmode=verify-full";
  auto string = Query(conninfo, "SELECT ssl::int FROM pg_stat_ssl WHERE pid = pg_backend_pid()");
  ASSERT_TRUE(string.ok()) << string.error().message;
  EXPECT_EQ(string->value, 1);  // the session is encrypted
}

TEST_F(PostgresTls, VerifyFullChecksTheServersNameAndVerifyCaOnlyItsCa) {
  // 127.0.0.2 is not among the certificate's names (localhost, 127.0.0.1).
  auto full = Query(Verified("127.0.0.2", "verify-full"), "SELECT 1");
  ASSERT_FALSE(full.ok());
  EXPECT_EQ(full.error().kind, Error::Kind::kTls) << full.error().message;
  auto ca = Query(Verified("127.0.0.2", "verify-ca"), "SELECT 1");
  EXPECT_TRUE(ca.ok()) << ca.error().message;
}

TEST_F(PostgresTls, AnotherCaIsRefusedAndNoCaAtAllIsRefusedToo) {
  PostgresOptions other = Verified("127.0.0.1", "verify-full");
  other.ca_pem = ReadText(std::string(kTlsDir) + "/other/tls/ca.crt");
  auto r = Query(other, "SELECT 1");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, Error::Kind::kTls) << r.error().message;
  EXPECT_EQ(r.error().message.find("BEGIN CERTIFICATE"), std::string::npos) << r.error().message;
  PostgresOptions none = Verified("127.0.0.1", "verify-full");
  none.ca_pem.clear();  // libpq's ~/.postgresql/root.crt, which the controller does not have
  setenv("PGSSLROOTCERT", "/nonexistent/root.crt", 1);  // nor this test's user
  auto without = Query(none, "SELECT 1");
  unsetenv("PGSSLROOTCERT");
  ASSERT_FALSE(without.ok());
  EXPECT_EQ(without.error().kind, Error::Kind::kTls) << without.error().message;
}

// The CA is an anonymous memory file while connecting, closed after: nothing of it stays open,
// and nothing is written under the temporary directory.
TEST_F(PostgresTls, TheCaIsHeldInMemoryOnlyWhileConnecting) {
  auto open_ca_files = [] {
    int n = 0;
    for (const auto& fd : std::filesystem::directory_iterator("/proc/self/fd")) {
      std::error_code ec;
      n += std::filesystem::read_symlink(fd.path(), ec).string().find("gearbox-postgres-ca") !=
           std::string::npos;
    }
    return n;
  };
  const auto tmp = std::filesystem::temp_directory_path();
  const auto before = std::distance(std::filesystem::directory_iterator(tmp), {});
  PostgresConnection conn(Verified("127.0.0.1", "verify-full"));
  auto r = conn.Query("SELECT 1");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(open_ca_files(), 0);
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(tmp), {}), before);
  auto again = conn.Query("SELECT 2");  // the kept connection needs no CA
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(again->value, 2);
}

TEST_F(PostgresTls, ASecretThatIsNotACertificateIsAConfigErrorThatQuotesNothing) {
  PostgresOptions o = Verified("127.0.0.1", "verify-full");
  o.ca_pem = "-----BEGIN PRIVATE KEY-----\nhunter2\n-----END PRIVATE KEY-----\n";
  auto r = Query(o, "SELECT 1");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, Error::Kind::kConfig) << r.error().message;
  EXPECT_NE(r.error().message.find("caSecretRef"), std::string::npos);
  EXPECT_EQ(r.error().message.find("hunter2"), std::string::npos);
}

}  // namespace
}  // namespace gearbox::metrics::testing
