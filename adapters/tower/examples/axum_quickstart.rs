use axum::{Router, routing::get};
use cors_policy::{Policy, PolicyBuilder};
use cors_policy_config::PolicyConfig;
use cors_policy_tower::CorsLayer;

// Checked while compiling: an invalid policy is a build error.
static POLICY: Policy<'static> = match PolicyBuilder::new()
    .allow_origins(&["https://app.example", "http://localhost:5173"])
    .allow_methods(&["GET", "POST"])
    .allow_headers(&["content-type"])
    .build()
{
    Ok(policy) => policy,
    Err(_) => panic!("invalid CORS policy"),
};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The policy: the static one, the CORS_* variables, or a JSON/TOML file.
    let cors = match std::env::args().nth(1).as_deref() {
        None => CorsLayer::new(&POLICY),
        Some("--env") => CorsLayer::new(PolicyConfig::from_env()?.build()?),
        Some(file) => CorsLayer::new(PolicyConfig::from_path(file)?.build()?),
    };
    let app = Router::new()
        .route(
            "/items",
            get(|| async { "[]" }).post(|| async { "created" }),
        )
        .layer(cors); // last, so outermost: preflights are answered before routing

    let port = std::env::var("PORT").unwrap_or_else(|_| "3000".into());
    let listener = tokio::net::TcpListener::bind(format!("127.0.0.1:{port}")).await?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}
