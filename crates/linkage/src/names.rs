//! Built-in table of US given-name variants (nicknames and diminutives).
//!
//! Each line is one group of names that can stand for the same person's given
//! name. A name may belong to several groups (PAT: Patrick and Patricia).

use std::collections::HashMap;
use std::sync::OnceLock;

const GROUPS: &[&str] = &[
    "ROBERT BOB BOBBY ROB ROBBY ROBBIE BERT",
    "WILLIAM BILL BILLY WILL WILLY WILLIE LIAM",
    "RICHARD RICK RICKY RICH RICHIE DICK DICKY",
    "JAMES JIM JIMMY JIMMIE JAMIE",
    "JOHN JACK JOHNNY JOHNNIE JON",
    "JONATHAN JON JONNY JOHNNY NATE",
    "MICHAEL MIKE MIKEY MICKEY MICK",
    "CHRISTOPHER CHRIS KIT TOPHER",
    "JOSEPH JOE JOEY JOS",
    "THOMAS TOM TOMMY",
    "CHARLES CHARLIE CHUCK CHAS CHAZ",
    "DANIEL DAN DANNY",
    "MATTHEW MATT MATTY",
    "ANTHONY TONY ANT",
    "DONALD DON DONNY",
    "STEVEN STEVE STEVIE",
    "STEPHEN STEVE STEVIE",
    "ANDREW ANDY DREW",
    "JOSHUA JOSH",
    "KENNETH KEN KENNY",
    "EDWARD ED EDDIE EDDY TED TEDDY NED",
    "EDWIN ED EDDIE",
    "THEODORE TED TEDDY THEO",
    "TIMOTHY TIM TIMMY",
    "RONALD RON RONNIE RONNY",
    "JEFFREY JEFF GEOFFREY GEOFF",
    "NICHOLAS NICK NICKY NIC",
    "BENJAMIN BEN BENNY BENJI",
    "SAMUEL SAM SAMMY",
    "GREGORY GREG",
    "ALEXANDER ALEX AL XANDER",
    "ALBERT AL BERT",
    "ALFRED AL ALFIE FRED",
    "PATRICK PAT PATTY PADDY RICK",
    "RAYMOND RAY",
    "LAWRENCE LARRY LAURENCE",
    "GERALD JERRY GERRY",
    "GERARD JERRY GERRY",
    "JEROME JERRY",
    "DOUGLAS DOUG",
    "PETER PETE",
    "ZACHARY ZACH ZACK",
    "DAVID DAVE DAVEY",
    "FREDERICK FRED FREDDY FREDDIE",
    "HENRY HANK HARRY",
    "HAROLD HAL HARRY",
    "FRANCIS FRANK FRAN",
    "FRANKLIN FRANK",
    "LEONARD LEN LENNY LEO",
    "NATHANIEL NATHAN NATE NAT",
    "NATHAN NATE",
    "PHILIP PHIL PHILLIP",
    "RANDALL RANDY",
    "RANDOLPH RANDY",
    "RODNEY ROD",
    "RUSSELL RUSS",
    "SAMSON SAM",
    "TERRENCE TERRY TERENCE",
    "VINCENT VINCE VINNY",
    "WALTER WALT WALLY",
    "EUGENE GENE",
    "ERNEST ERNIE",
    "HERBERT HERB",
    "JACOB JAKE",
    "LOUIS LOU LOUIE",
    "MITCHELL MITCH",
    "MARTIN MARTY",
    "OLIVER OLLIE",
    "CAMERON CAM",
    "DOMINIC DOM",
    "JUSTIN JUSTY",
    "GABRIEL GABE",
    "ISAAC IKE",
    "CLIFFORD CLIFF",
    "STANLEY STAN",
    "BRADLEY BRAD",
    "CALVIN CAL",
    "ELIZABETH LIZ LIZZIE BETH BETTY BETSY LIZA ELIZA LISA BESS",
    "JENNIFER JEN JENNY JENN",
    "PATRICIA PAT PATTY PATSY TRISH TRICIA",
    "MARGARET MAGGIE PEGGY MEG MARGE MARGIE GRETA",
    "KATHERINE KATE KATHY KATIE KAT KATHRYN KATY",
    "CATHERINE CATHY KATE CATE KATIE",
    "KATHLEEN KATHY KATE",
    "SUSAN SUE SUSIE SUZY",
    "DEBORAH DEBBIE DEB DEBRA",
    "DEBRA DEBBIE DEB",
    "REBECCA BECKY BECCA",
    "KIMBERLY KIM KIMMY",
    "JESSICA JESS JESSIE",
    "CHRISTINA CHRIS TINA CHRISSY",
    "CHRISTINE CHRIS TINA CHRISSY",
    "VICTORIA VICKY VICKIE TORI",
    "SAMANTHA SAM SAMMY",
    "ALEXANDRA ALEX ALEXA SANDRA SANDY",
    "ALEXIS ALEX LEXI",
    "ABIGAIL ABBY ABBIE GAIL",
    "CYNTHIA CINDY",
    "PAMELA PAM",
    "BARBARA BARB BARBIE",
    "MELISSA MISSY MEL",
    "STEPHANIE STEPH STEVIE",
    "AMANDA MANDY",
    "THERESA TERRY TESS TERESA TESSA",
    "JUDITH JUDY",
    "DOROTHY DOT DOTTIE DOTTY",
    "SANDRA SANDY",
    "JACQUELINE JACKIE",
    "ANGELA ANGIE",
    "VALERIE VAL",
    "CAROLINE CAROL CARRIE",
    "CAROLYN CAROL CARRIE",
    "NANCY NAN",
    "ANNE ANN ANNIE NAN",
    "ANNA ANN ANNIE",
    "MARY MOLLY POLLY MAE",
    "DONNA DONNIE",
    "TAMARA TAMMY TAMI",
    "PHYLLIS PHIL",
    "EVELYN EVIE EVE",
    "FRANCES FRAN FRANNIE",
    "GWENDOLYN GWEN",
    "JOSEPHINE JOSIE JO",
    "JOANNE JO JOANN",
    "LEONORA LEONA NORA",
    "ELEANOR ELLIE NORA NELL",
    "HELEN NELL NELLIE",
    "MADELINE MADDIE MADDY",
    "MADISON MADDIE MADDY",
    "NATALIE NAT",
    "OLIVIA LIV LIVVY",
    "RACHEL RACH",
    "REGINALD REGGIE REG",
    "RONDA RHONDA",
    "SHARON SHARI",
    "SOPHIA SOPHIE",
    "SUZANNE SUE SUZY",
    "VERONICA RONNIE VERA",
    "WINIFRED WINNIE",
    "ALLISON ALLIE ALI",
    "ANDREA ANDIE",
    "BRITTANY BRITT",
    "DANIELLE DANI",
    "GABRIELLE GABBY GABI",
    "JANET JAN",
    "JANICE JAN",
    "KRISTEN KRIS KRISTY",
    "KRISTINA KRIS TINA",
    "LAUREN LAURIE",
    "MEGAN MEG",
    "MICHELLE SHELLY MICHELE",
    "NICOLE NIKKI NICKI",
    "PRISCILLA CILLA",
    "ROSEMARY ROSE ROSIE",
    "VIRGINIA GINNY GINGER",
];

/// Group ids keyed by name.
fn table() -> &'static HashMap<&'static str, Vec<u16>> {
    static TABLE: OnceLock<HashMap<&'static str, Vec<u16>>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut map: HashMap<&'static str, Vec<u16>> = HashMap::new();
        for (gid, line) in GROUPS.iter().enumerate() {
            let gid = u16::try_from(gid + 1).unwrap_or(u16::MAX);
            for name in line.split_whitespace() {
                let ids = map.entry(name).or_default();
                if !ids.contains(&gid) {
                    ids.push(gid);
                }
            }
        }
        map
    })
}

/// Variant groups of an upper-case given name (empty if not in the table).
pub fn variant_groups(name: &str) -> &'static [u16] {
    table().get(name).map_or(&[], Vec::as_slice)
}

/// Whether two given names share a variant group.
pub fn are_variants(a: &[u16], b: &[u16]) -> bool {
    a.iter().any(|g| b.contains(g))
}

/// A blocking key for a given name: the formal name of its first group, or
/// the name itself. BOB and ROBERT get the same key.
pub fn canonical(name: &str) -> &str {
    match variant_groups(name).first() {
        Some(&g) => GROUPS[usize::from(g) - 1]
            .split_whitespace()
            .next()
            .unwrap_or(name),
        None => name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variants_from_the_issue() {
        for (a, b) in [
            ("ROBERT", "BOB"),
            ("BOB", "ROB"),
            ("WILLIAM", "BILL"),
            ("ELIZABETH", "LIZ"),
            ("LIZ", "BETH"),
        ] {
            assert!(
                are_variants(variant_groups(a), variant_groups(b)),
                "{a} {b}"
            );
        }
        assert!(!are_variants(
            variant_groups("ROBERT"),
            variant_groups("WILLIAM")
        ));
        assert!(!are_variants(
            variant_groups("ZBIGNIEW"),
            variant_groups("ZBIGNIEW")
        ));
        assert_eq!(canonical("BOBBY"), "ROBERT");
        assert_eq!(canonical("ZBIGNIEW"), "ZBIGNIEW");
    }
}
