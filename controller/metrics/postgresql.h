// A number from a PostgreSQL query (KEDA's postgresql scaler), over libpq. Each read, on a kept
// connection:
//   BEGIN TRANSACTION READ ONLY; SET LOCAL statement_timeout = <statementTimeout>
//   the query, prepared alone (the extended protocol takes one statement: no "; DELETE ..."),
//   described (it must give one column of a numeric type), then run in single-row mode
//   ROLLBACK
// so the query cannot write (a read-only role is still what the docs ask for), a slow query is
// cut by the server at the statement timeout and by the controller at the overall timeout (the
// connection is closed), and at most two rows of one number are ever read. The socket is
// non-blocking and every wait is bounded by the read's deadline, connecting included.
//
// Nothing the server says is shown: errors carry a fixed reason and the SQLSTATE code, server
// notices are dropped, and a connection string's keywords are limited to those that name where
// and how to connect (no files of the controller's: passfile, service, sslkey, sslrootcert...).
//
// The CA that verifies the server (sslmode verify-ca or verify-full) comes from a Secret, as PEM.
// libpq reads sslrootcert from a file: it gets an anonymous memory file (memfd_create) by its
// /proc/self/fd path, created for the connection attempt and closed once it is done. The CA never
// touches a disk (the controller's root filesystem is read-only) and no other process sees it.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "base/mutex.h"
#include "base/result.h"
#include "metrics/source.h"

struct pg_conn;

namespace gearbox::metrics {

struct PostgresOptions {
  // A libpq connection string ("host=... dbname=..." or postgresql://...), or empty: the fields.
  std::string conninfo;
  std::string host;
  int port = 5432;
  std::string database, user, password;
  std::string sslmode;  // disable | allow | prefer | require | verify-ca | verify-full; "": libpq's
  std::string ca_pem;   // the server's CA (certificates, PEM): libpq's sslrootcert; "": none
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds statement_timeout{5000};
  std::chrono::milliseconds timeout{10000};  // for a whole read, connecting included
};

// A server a connection may go to (a connection string may list several).
struct PostgresHost {
  std::string host;
  int port = 5432;
};

// The servers the options name, or an Error (kConfig) when the connection string does not parse,
// has a keyword outside the allowed ones, or names a Unix socket or no host (a policy reads over
// the network only). The message never quotes the connection string.
Result<std::vector<PostgresHost>> PostgresHosts(const PostgresOptions& options);

class PostgresConnection {
 public:
  explicit PostgresConnection(PostgresOptions options) : options_(std::move(options)) {}
  ~PostgresConnection();
  PostgresConnection(const PostgresConnection&) = delete;
  PostgresConnection& operator=(const PostgresConnection&) = delete;

  // The query's one number, read in a read-only transaction before the timeout.
  Result<Reading> Query(const std::string& query) EXCLUDES(mu_);
  std::string Describe() const;

 private:
  using Time = std::chrono::steady_clock::time_point;
  Status Connect(Time deadline) REQUIRES(mu_);
  Status Poll(Time deadline) REQUIRES(mu_);
  Result<Reading> InTransaction(const std::string& query, Time deadline) REQUIRES(mu_);
  Status Send(bool sent, Time deadline) REQUIRES(mu_);
  Status Receive(Time deadline) REQUIRES(mu_);
  Status ExpectOk(const char* step, Time deadline) REQUIRES(mu_);
  Status CheckColumn(Time deadline) REQUIRES(mu_);
  Result<Reading> ReadRows(Time deadline) REQUIRES(mu_);
  void Drop() REQUIRES(mu_);

  const PostgresOptions options_;
  Mutex mu_;
  pg_conn* conn_ GUARDED_BY(mu_) = nullptr;
};

class PostgresQueryMetric final : public MetricSource {
 public:
  PostgresQueryMetric(std::shared_ptr<PostgresConnection> connection, std::string query)
      : conn_(std::move(connection)), query_(std::move(query)) {}
  Result<Reading> Read() override { return conn_->Query(query_); }
  std::string Describe() const override { return conn_->Describe() + ": query"; }

 private:
  std::shared_ptr<PostgresConnection> conn_;
  std::string query_;
};

}  // namespace gearbox::metrics
