//! A blocking PostgreSQL session speaking the wire protocol itself, for the one thing
//! the `postgres` crate cannot do: several statements in one pipeline under a single
//! Sync, which is how the Supabase CLI sends a migration (one implicit transaction in
//! which a `DO` block may still `COMMIT`). Built on `postgres-protocol`, the crate
//! `postgres` itself speaks with; no TLS, like the rest of the engine.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
#[cfg(unix)]
use std::os::unix::net::UnixStream;
use std::time::Duration;

use bytes::BytesMut;
use fallible_iterator::FallibleIterator as _;
use postgres::config::{Host, SslMode};
use postgres::Config;
use postgres_protocol::authentication::sasl::{ChannelBinding, ScramSha256, SCRAM_SHA_256};
use postgres_protocol::message::backend::{ErrorResponseBody, Message};
use postgres_protocol::message::frontend;
use postgres_protocol::IsNull;

/// What the server said when it refused something: its fields, as `psql` shows them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ServerError {
    pub(crate) code: String,
    pub(crate) message: String,
    pub(crate) detail: Option<String>,
    pub(crate) hint: Option<String>,
    /// 1-based character position in the statement sent.
    pub(crate) position: Option<usize>,
}

impl ServerError {
    fn parse(body: &ErrorResponseBody) -> io::Result<ServerError> {
        let mut error = ServerError::default();
        let mut fields = body.fields();
        while let Some(field) = fields.next()? {
            let value = String::from_utf8_lossy(field.value_bytes()).into_owned();
            match field.type_() {
                b'C' => error.code = value,
                b'M' => error.message = value,
                b'D' => error.detail = Some(value),
                b'H' => error.hint = Some(value),
                b'P' => error.position = value.parse().ok(),
                _ => {}
            }
        }
        Ok(error)
    }
}

impl std::fmt::Display for ServerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (SQLSTATE {})", self.message, self.code)
    }
}

/// One thing sent: a statement in the pipeline (extended protocol, text parameters), a
/// Sync ending the pipeline so far, or a simple query on its own.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Step<'a> {
    /// A simple query written with what follows, its answer read at the next exchange:
    /// one round trip for a query whose answer cannot change what is sent next.
    Ahead {
        sql: &'a str,
        tag: usize,
    },
    Pipelined {
        sql: &'a str,
        params: &'a [&'a str],
        tag: usize,
    },
    Sync,
    Query {
        sql: &'a str,
        tag: usize,
    },
}

/// The first error of a run, and the tag of the step that raised it.
pub(crate) type Refusal = (usize, ServerError);

enum Stream {
    Tcp(TcpStream),
    #[cfg(unix)]
    Unix(UnixStream),
}

impl Stream {
    fn io(&mut self) -> &mut dyn ReadWrite {
        match self {
            Stream::Tcp(s) => s,
            #[cfg(unix)]
            Stream::Unix(s) => s,
        }
    }
}

trait ReadWrite: Read + Write {}
impl<T: Read + Write> ReadWrite for T {}

/// Where the session is, to cancel what it runs from another thread.
#[derive(Debug, Clone)]
pub(crate) struct Canceller {
    at: Place,
    pid: i32,
    key: i32,
}

#[derive(Debug, Clone)]
enum Place {
    Tcp(SocketAddr),
    #[cfg(unix)]
    Unix(std::path::PathBuf),
}

impl Canceller {
    pub(crate) fn cancel(&self) -> io::Result<()> {
        let mut buf = BytesMut::new();
        frontend::cancel_request(self.pid, self.key, &mut buf);
        let mut stream = open(&self.at, Some(Duration::from_secs(10)))?;
        stream.io().write_all(&buf)?;
        // The server closes the connection once it has the request.
        let _ = stream.io().read(&mut [0u8; 1]);
        Ok(())
    }
}

pub(crate) struct Session {
    stream: Stream,
    input: BytesMut,
    output: BytesMut,
    canceller: Canceller,
    /// The transaction status of the last ReadyForQuery: `I`, `T` or `E`.
    status: u8,
    /// `server_version`, as the server reported it at startup.
    server_version: String,
}

impl Session {
    /// Connects to `database` with `config`'s hosts, user and password.
    pub(crate) fn connect(config: &Config, database: &str) -> anyhow::Result<Session> {
        anyhow::ensure!(
            config.get_ssl_mode() != SslMode::Require,
            "sslmode=require: mynatca connects without TLS; use a local server or sslmode=prefer"
        );
        let mut last = None;
        for place in places(config) {
            let attempt = open(&place, config.get_connect_timeout().copied())
                .map_err(anyhow::Error::from)
                .and_then(|stream| Session::start(stream, place, config, database));
            match attempt {
                Ok(session) => return Ok(session),
                Err(err) => last = Some(err),
            }
        }
        Err(last.unwrap_or_else(|| anyhow::anyhow!("the database URL names no host")))
    }

    fn start(stream: Stream, at: Place, config: &Config, database: &str) -> anyhow::Result<Session> {
        let canceller = Canceller { at, pid: 0, key: 0 };
        let mut session = Session {
            stream,
            input: BytesMut::new(),
            output: BytesMut::new(),
            canceller,
            status: b'I',
            server_version: String::new(),
        };
        let user = config.get_user().unwrap_or("postgres");
        let mut params = vec![("user", user), ("database", database), ("client_encoding", "UTF8")];
        if let Some(options) = config.get_options() {
            params.push(("options", options));
        }
        if let Some(name) = config.get_application_name() {
            params.push(("application_name", name));
        }
        frontend::startup_message(params, &mut session.output)?;
        session.flush()?;
        session.authenticate(user, config.get_password())?;
        loop {
            match session.read()? {
                Message::BackendKeyData(body) => {
                    session.canceller.pid = body.process_id();
                    session.canceller.key = body.secret_key();
                }
                Message::ParameterStatus(body) if body.name()? == "server_version" => {
                    session.server_version = body.value()?.to_string();
                }
                Message::ReadyForQuery(body) => {
                    session.status = body.status();
                    return Ok(session);
                }
                Message::ErrorResponse(body) => anyhow::bail!("{}", ServerError::parse(&body)?),
                _ => {}
            }
        }
    }

    fn authenticate(&mut self, user: &str, password: Option<&[u8]>) -> anyhow::Result<()> {
        let need = || anyhow::anyhow!("the server asks for a password and the database URL gives none");
        match self.read()? {
            Message::AuthenticationOk => return Ok(()),
            Message::AuthenticationCleartextPassword => {
                frontend::password_message(password.ok_or_else(need)?, &mut self.output)?;
            }
            Message::AuthenticationMd5Password(body) => {
                let hashed = postgres_protocol::authentication::md5_hash(
                    user.as_bytes(),
                    password.ok_or_else(need)?,
                    body.salt(),
                );
                frontend::password_message(hashed.as_bytes(), &mut self.output)?;
            }
            Message::AuthenticationSasl(body) => return self.scram(body.mechanisms(), password.ok_or_else(need)?),
            Message::ErrorResponse(body) => anyhow::bail!("{}", ServerError::parse(&body)?),
            _ => anyhow::bail!("the server asks for an authentication method mynatca does not speak"),
        }
        self.flush()?;
        self.expect_ok()
    }

    fn scram(
        &mut self,
        mut mechanisms: postgres_protocol::message::backend::SaslMechanisms<'_>,
        password: &[u8],
    ) -> anyhow::Result<()> {
        let mut offered = false;
        while let Some(mechanism) = mechanisms.next()? {
            offered |= mechanism == SCRAM_SHA_256;
        }
        anyhow::ensure!(offered, "the server offers no SASL mechanism mynatca speaks (SCRAM-SHA-256)");
        let mut scram = ScramSha256::new(password, ChannelBinding::unsupported());
        frontend::sasl_initial_response(SCRAM_SHA_256, scram.message(), &mut self.output)?;
        self.flush()?;
        match self.read()? {
            Message::AuthenticationSaslContinue(body) => scram.update(body.data())?,
            Message::ErrorResponse(body) => anyhow::bail!("{}", ServerError::parse(&body)?),
            _ => anyhow::bail!("unexpected message during SCRAM authentication"),
        }
        frontend::sasl_response(scram.message(), &mut self.output)?;
        self.flush()?;
        match self.read()? {
            Message::AuthenticationSaslFinal(body) => scram.finish(body.data())?,
            Message::ErrorResponse(body) => anyhow::bail!("{}", ServerError::parse(&body)?),
            _ => anyhow::bail!("unexpected message during SCRAM authentication"),
        }
        self.expect_ok()
    }

    fn expect_ok(&mut self) -> anyhow::Result<()> {
        match self.read()? {
            Message::AuthenticationOk => Ok(()),
            Message::ErrorResponse(body) => anyhow::bail!("{}", ServerError::parse(&body)?),
            _ => anyhow::bail!("unexpected message after authentication"),
        }
    }

    pub(crate) fn server_version(&self) -> &str {
        &self.server_version
    }

    pub(crate) fn canceller(&self) -> Canceller {
        self.canceller.clone()
    }

    /// Whether an explicit transaction block is open (or failed) after the last query.
    pub(crate) fn in_transaction(&self) -> bool {
        self.status != b'I'
    }

    /// One simple query returning one value: the first column of its first row, as text.
    pub(crate) fn value(&mut self, sql: &str) -> io::Result<Result<Option<String>, ServerError>> {
        frontend::query(sql, &mut self.output)?;
        self.flush()?;
        let (mut value, mut error) = (None, None);
        loop {
            match self.read()? {
                Message::DataRow(body) if value.is_none() => {
                    let mut ranges = body.ranges();
                    if let Some(Some(range)) = ranges.next()? {
                        value = Some(String::from_utf8_lossy(&body.buffer()[range]).into_owned());
                    }
                }
                Message::ErrorResponse(body) => error = error.or(Some(ServerError::parse(&body)?)),
                Message::ReadyForQuery(body) => {
                    self.status = body.status();
                    return Ok(error.map_or(Ok(value), Err));
                }
                _ => {}
            }
        }
    }

    /// One simple query; its first error.
    pub(crate) fn simple(&mut self, sql: &str) -> io::Result<Result<(), ServerError>> {
        Ok(self.run(&[Step::Query { sql, tag: 0 }])?.map_err(|(_, error)| error))
    }

    /// Sends `steps` as the CLI does: pipelined statements go out together up to their
    /// Sync, a query waits for its answer; the first error stops the run (the rest of its
    /// pipeline is skipped by the server up to the Sync).
    pub(crate) fn run(&mut self, steps: &[Step<'_>]) -> io::Result<Result<(), Refusal>> {
        let (mut ahead, mut waiting) = (Vec::new(), Vec::new());
        for step in steps {
            match *step {
                Step::Ahead { sql, tag } => {
                    frontend::query(sql, &mut self.output)?;
                    ahead.push(tag);
                }
                Step::Pipelined { sql, params, tag } => {
                    self.pipelined(sql, params)?;
                    waiting.push(tag);
                }
                Step::Sync => {
                    frontend::sync(&mut self.output);
                    if let Some(refusal) = self.exchange(&mut ahead, &mut waiting)? {
                        return Ok(Err(refusal));
                    }
                }
                Step::Query { sql, tag } => {
                    frontend::query(sql, &mut self.output)?;
                    if let Some(refusal) = self.exchange(&mut ahead, &mut vec![tag])? {
                        return Ok(Err(refusal));
                    }
                }
            }
        }
        if !waiting.is_empty() {
            frontend::sync(&mut self.output);
        }
        if !(waiting.is_empty() && ahead.is_empty()) {
            if let Some(refusal) = self.exchange(&mut ahead, &mut waiting)? {
                return Ok(Err(refusal));
            }
        }
        Ok(Ok(()))
    }

    /// Sends what is written, then reads the answers: the queries sent ahead first, each
    /// to its ReadyForQuery, then `waiting`'s. The first error of them all.
    fn exchange(&mut self, ahead: &mut Vec<usize>, waiting: &mut Vec<usize>) -> io::Result<Option<Refusal>> {
        self.flush()?;
        let mut first = None;
        for tag in ahead.drain(..) {
            let refusal = self.answers(&mut vec![tag])?;
            first = first.or(refusal);
        }
        let refusal = self.answers(waiting)?;
        Ok(first.or(refusal))
    }

    fn pipelined(&mut self, sql: &str, params: &[&str]) -> io::Result<()> {
        frontend::parse("", sql, std::iter::empty(), &mut self.output)?;
        let text = |value: &str, buf: &mut BytesMut| {
            buf.extend_from_slice(value.as_bytes());
            Ok(IsNull::No)
        };
        frontend::bind("", "", [0i16], params.iter().copied(), text, [0i16], &mut self.output).map_err(
            |err| match err {
                frontend::BindError::Conversion(err) => io::Error::other(err),
                frontend::BindError::Serialization(err) => err,
            },
        )?;
        frontend::describe(b'P', "", &mut self.output)?;
        frontend::execute("", 0, &mut self.output)
    }

    /// Reads up to ReadyForQuery; the first error, tagged with the step whose answer it is.
    fn answers(&mut self, waiting: &mut Vec<usize>) -> io::Result<Option<Refusal>> {
        let mut done = 0;
        let mut refusal = None;
        loop {
            match self.read()? {
                Message::CommandComplete(_) | Message::EmptyQueryResponse => done += 1,
                Message::ErrorResponse(body) => {
                    let tag = waiting.get(done).or(waiting.last()).copied().unwrap_or(0);
                    refusal.get_or_insert((tag, ServerError::parse(&body)?));
                }
                Message::CopyInResponse(_) => {
                    frontend::copy_fail("COPY FROM STDIN is not supported in a migration", &mut self.output)?;
                    self.flush()?;
                }
                Message::ReadyForQuery(body) => {
                    self.status = body.status();
                    waiting.clear();
                    return Ok(refusal);
                }
                _ => {}
            }
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        let output = self.output.split();
        self.stream.io().write_all(&output)
    }

    fn read(&mut self) -> io::Result<Message> {
        loop {
            if let Some(message) = Message::parse(&mut self.input)? {
                return Ok(message);
            }
            let mut chunk = [0u8; 16 * 1024];
            // A signal (Ctrl-C) interrupts the read; the watch cancels the statement instead.
            let n = match self.stream.io().read(&mut chunk) {
                Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                read => read?,
            };
            if n == 0 {
                return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "the server closed the connection"));
            }
            self.input.extend_from_slice(&chunk[..n]);
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        frontend::terminate(&mut self.output);
        let _ = self.flush();
    }
}

/// Each host of the URL with its port, in order (libpq's pairing: one port for all, or one each).
fn places(config: &Config) -> Vec<Place> {
    let ports = config.get_ports();
    let port = |i: usize| ports.get(i).or(ports.first()).copied().unwrap_or(5432);
    let mut places = Vec::new();
    let addrs = config.get_hostaddrs();
    for (i, host) in config.get_hosts().iter().enumerate() {
        match (addrs.get(i), host) {
            (Some(addr), _) => places.push(Place::Tcp(SocketAddr::new(*addr, port(i)))),
            (None, Host::Tcp(name)) => {
                let name = name.trim_start_matches('[').trim_end_matches(']');
                let found = (name, port(i)).to_socket_addrs().map(Iterator::collect::<Vec<_>>).unwrap_or_default();
                places.extend(found.into_iter().map(Place::Tcp));
            }
            #[cfg(unix)]
            (None, Host::Unix(dir)) => places.push(Place::Unix(dir.join(format!(".s.PGSQL.{}", port(i))))),
        }
    }
    if config.get_hosts().is_empty() {
        places.extend(addrs.iter().enumerate().map(|(i, addr)| Place::Tcp(SocketAddr::new(*addr, port(i)))));
    }
    places
}

fn open(place: &Place, timeout: Option<Duration>) -> io::Result<Stream> {
    match place {
        Place::Tcp(addr) => {
            let stream = match timeout {
                Some(timeout) => TcpStream::connect_timeout(addr, timeout)?,
                None => TcpStream::connect(addr)?,
            };
            stream.set_nodelay(true)?;
            Ok(Stream::Tcp(stream))
        }
        #[cfg(unix)]
        Place::Unix(path) => Ok(Stream::Unix(UnixStream::connect(path)?)),
    }
}
