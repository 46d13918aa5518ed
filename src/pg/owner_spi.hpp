// Work done with the privileges of the jobs table's owner (the extension's
// owner), as foreign-key triggers do: the history and the work index are kept
// for every caller, none of whom may write them directly.
#pragma once

#include "postgres_headers.hpp"

namespace jc::pg {

// Runs `body` as `owner`. A guarded body (no object with a destructor): if
// it raises, PostgreSQL's (sub)transaction abort restores the caller's user
// id.
template <typename Body>
void as_user(Oid owner, Body&& body) {
  Oid saved_user;
  int saved_context;
  GetUserIdAndSecContext(&saved_user, &saved_context);
  SetUserIdAndSecContext(owner, saved_context | SECURITY_LOCAL_USERID_CHANGE);
  body();
  SetUserIdAndSecContext(saved_user, saved_context);
}

// Runs `body` connected to SPI as `owner`; the abort of a raising body also
// closes the SPI connection.
template <typename Body>
void run_as_owner(Oid owner, Body&& body) {
  as_user(owner, [&] {
    if (SPI_connect() != SPI_OK_CONNECT) {
      elog(ERROR, "job_control: SPI_connect failed");
    }
    body();
    SPI_finish();
  });
}

}  // namespace jc::pg
