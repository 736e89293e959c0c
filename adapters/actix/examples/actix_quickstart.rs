use actix_web::{App, HttpResponse, HttpServer, web};
use cors_policy::{Policy, PolicyBuilder};
use cors_policy_actix::Cors;
use cors_policy_config::PolicyConfig;

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

#[actix_web::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The policy: the static one, the CORS_* variables, or a JSON/TOML file.
    let cors = match std::env::args().nth(1).as_deref() {
        None => Cors::new(&POLICY),
        Some("--env") => Cors::new(PolicyConfig::from_env()?.build()?),
        Some(file) => Cors::new(PolicyConfig::from_path(file)?.build()?),
    };
    let port: u16 = std::env::var("PORT").map_or(Ok(3000), |p| p.parse())?;
    let server = HttpServer::new(move || {
        App::new()
            .wrap(cors.clone()) // the last `wrap` is the outermost: keep CORS last
            .route(
                "/items",
                web::get().to(|| async { HttpResponse::Ok().body("[]") }),
            )
            .route(
                "/items",
                web::post().to(|| async { HttpResponse::Ok().body("created") }),
            )
    })
    .bind(("127.0.0.1", port))?;
    println!("listening on http://{}", server.addrs()[0]);
    server.run().await?;
    Ok(())
}
